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
    swapIn(folder, withMarker(files));
  }, options);
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
    writeFiles(staging, files);
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

function writeFiles(root: string, files: ReadonlyMap<string, string>): void {
  fs.mkdirSync(root, { recursive: true });
  const folders = new Set([root]); // made once each, not once per file
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
    fs.writeFileSync(file, content);
  }
}
