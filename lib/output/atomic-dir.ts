import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { OUTPUT_MARKER, OUTPUT_MARKER_CONTENT, resolveOutputFolder } from './output-folder';
import { OutputLockOptions, withOutputLock } from './output-lock';

/** Thrown when a swap failed half-way and could not be undone; the message says where the previous output is. */
export class SwapInterruptedError extends Error {
  public override readonly name = 'SwapInterruptedError';
}

/** The folders beside an output folder that a swap uses. */
function swapFolders(folder: string): { previous: string; stagingPrefix: string } {
  const parent = path.dirname(folder);
  const base = path.basename(folder);
  return { previous: path.join(parent, `.${base}.previous`), stagingPrefix: path.join(parent, `.${base}.staging`) };
}

/**
 * Replaces `target` with a folder holding exactly `files` (plus the
 * {@link OUTPUT_MARKER}), so that a reader, a crash or a concurrent synth sees
 * either the old folder or the new one, never a mix or an empty folder: the
 * target is checked first ({@link resolveOutputFolder}), the folder's lock is
 * taken, an earlier interrupted swap is repaired, everything is written to a
 * staging folder of this run's own, and swapped in with two renames. Any error
 * leaves `target` as it was.
 */
export function replaceDirAtomically(target: string, files: ReadonlyMap<string, string>, options: OutputLockOptions = {}): void {
  const folder = resolveOutputFolder(target);
  withOutputLock(folder, () => {
    recoverInterruptedSwap(folder);
    const output = withMarker(files);
    if (!alreadyHolds(folder, output)) swapIn(folder, output);
  }, options);
}

/**
 * Whether `folder` already is what a swap of `files` would make it: exactly these
 * paths, in real folders, each a lone regular file with these bytes and the mode the
 * marker was written with. Then nothing is swapped, so a synth that changes nothing
 * leaves the folder as it was (files, links and modification times) and neither writes
 * nor removes a folder of files. Anything else (a file more or less, a symbolic link, a
 * file linked from elsewhere or given other permissions) is swapped as usual.
 */
function alreadyHolds(folder: string, files: ReadonlyMap<string, string>): boolean {
  let entries: fs.Dirent[];
  let marker: fs.Stats;
  try {
    marker = fs.lstatSync(path.join(folder, OUTPUT_MARKER));
    entries = fs.readdirSync(folder, { recursive: true, withFileTypes: true });
  } catch {
    return false;
  }
  let count = 0;
  for (const entry of entries) {
    if (entry.isDirectory()) continue;
    if (!entry.isFile()) return false;
    const file = path.join(entry.parentPath, entry.name);
    const content = files.get(path.relative(folder, file).split(path.sep).join('/'));
    if (content === undefined) return false;
    const stat = fs.lstatSync(file);
    if (stat.nlink !== 1 || stat.mode !== marker.mode || stat.size !== Buffer.byteLength(content)) return false;
    if (fs.readFileSync(file, 'utf8') !== content) return false;
    count += 1;
  }
  return count === files.size;
}

/**
 * Repairs what an interrupted synth left beside `folder`: a swap stopped between
 * its two renames leaves the folder missing and its previous content in
 * `.<name>.previous`, which is moved back; staging folders and a finished swap's
 * previous folder are removed. Call it holding the folder's lock.
 *
 * @returns whether the folder was restored from `.<name>.previous`
 */
export function recoverInterruptedSwap(folder: string): boolean {
  const { previous, stagingPrefix } = swapFolders(folder);
  let restored = false;
  if (fs.existsSync(previous)) {
    if (fs.existsSync(folder)) {
      fs.rmSync(previous, { recursive: true, force: true });
    } else {
      fs.renameSync(previous, folder);
      restored = true;
    }
  }
  const parent = path.dirname(folder);
  for (const entry of fs.existsSync(parent) ? fs.readdirSync(parent) : []) {
    if (path.join(parent, entry).startsWith(stagingPrefix)) fs.rmSync(path.join(parent, entry), { recursive: true, force: true });
  }
  return restored;
}

/** The previous-output folder a swap of `folder` uses, for messages. */
export function previousFolderOf(folder: string): string {
  return swapFolders(folder).previous;
}

function swapIn(folder: string, files: ReadonlyMap<string, string>): void {
  const { previous, stagingPrefix } = swapFolders(folder);
  const staging = `${stagingPrefix}-${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
  try {
    writeFiles(staging, files, folder);
  } catch (err) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw err;
  }
  const hadFolder = fs.existsSync(folder);
  if (hadFolder) fs.renameSync(folder, previous);
  try {
    fs.renameSync(staging, folder);
  } catch (err) {
    fs.rmSync(staging, { recursive: true, force: true });
    if (hadFolder) undoMoveAside(folder, previous, err);
    throw err;
  }
  fs.rmSync(previous, { recursive: true, force: true });
}

function undoMoveAside(folder: string, previous: string, cause: unknown): void {
  try {
    fs.renameSync(previous, folder);
  } catch {
    throw new SwapInterruptedError(
      `${folder} could not be replaced (${cause instanceof Error ? cause.message : String(cause)}) nor put back; ` +
        `its previous content is in ${previous}, and the next synth restores it`,
    );
  }
}

function withMarker(files: ReadonlyMap<string, string>): ReadonlyMap<string, string> {
  return files.has(OUTPUT_MARKER) ? files : new Map([...files, [OUTPUT_MARKER, OUTPUT_MARKER_CONTENT]]);
}

/**
 * Writes `files` under `root`. A file whose bytes are already in `previous` (the
 * output being replaced) is hard-linked from there instead of written: most synths
 * change few files, and on a disk a link costs a fraction of creating and writing
 * a file. Only a lone regular file (one link, the mode a fresh write gets) inside
 * real folders of `previous` is reused, so nothing outside it is ever shared;
 * whenever a link is not possible the file is written.
 */
function writeFiles(root: string, files: ReadonlyMap<string, string>, previous?: string): void {
  fs.mkdirSync(root, { recursive: true });
  const folders = new Set([root]); // made once each, not once per file
  const reuse = previous !== undefined && isRealFolder(previous) ? new PreviousOutput(previous) : undefined;
  for (const [relative, content] of [...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const file = path.join(root, relative);
    const inside = path.relative(root, file);
    if (inside === '..' || inside.startsWith(`..${path.sep}`) || path.isAbsolute(relative)) {
      throw new Error(`refusing to write ${JSON.stringify(relative)}: it is outside the output folder`);
    }
    if (!folders.has(path.dirname(file))) {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      folders.add(path.dirname(file));
    }
    if (reuse?.linkIfSame(inside, content, file)) continue;
    fs.writeFileSync(file, content);
    reuse?.learnModeOf(file);
  }
}

function isRealFolder(dir: string): boolean {
  try {
    return fs.lstatSync(dir).isDirectory();
  } catch {
    return false;
  }
}

/** The output a swap replaces, read to find files that would be written again unchanged. */
class PreviousOutput {
  private readonly realFolders = new Map<string, boolean>();
  /** The permission bits a fresh write gets here (umask applied), learnt from the first file written. */
  private freshMode: number | undefined;

  public constructor(private readonly root: string) {}

  /** Links `relative` of the previous output to `target` when it holds exactly `content`; false when it was not linked. */
  public linkIfSame(relative: string, content: string, target: string): boolean {
    if (this.freshMode === undefined || !this.inRealFolders(path.dirname(relative))) return false;
    const old = path.join(this.root, relative);
    try {
      const stat = fs.lstatSync(old);
      if (!stat.isFile() || stat.nlink !== 1 || (stat.mode & 0o7777) !== this.freshMode || stat.size !== Buffer.byteLength(content)) return false;
      if (fs.readFileSync(old, 'utf8') !== content) return false;
      fs.linkSync(old, target);
      return true;
    } catch {
      return false; // gone, unreadable, or a file system without hard links: write it
    }
  }

  public learnModeOf(written: string): void {
    this.freshMode ??= fs.statSync(written).mode & 0o7777;
  }

  /** Whether every folder from the root down to `relative` is a folder, not a symbolic link to one elsewhere. */
  private inRealFolders(relative: string): boolean {
    if (relative === '.' || relative === '') return true;
    let known = this.realFolders.get(relative);
    if (known === undefined) {
      known = this.inRealFolders(path.dirname(relative)) && isRealFolder(path.join(this.root, relative));
      this.realFolders.set(relative, known);
    }
    return known;
  }
}
