import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Replaces `target` with a folder holding exactly `files`, so that a reader (or
 * a crash) sees either the old folder or the new one, never a mix or an empty
 * folder: everything is written to a sibling staging folder first, then swapped
 * in with two renames. A swap interrupted between the renames is repaired on the
 * next call (the previous folder is put back before anything else happens).
 */
export function replaceDirAtomically(target: string, files: ReadonlyMap<string, string>): void {
  const resolved = path.resolve(target);
  const parent = path.dirname(resolved);
  const base = path.basename(resolved);
  const staging = path.join(parent, `.${base}.staging`);
  const previous = path.join(parent, `.${base}.previous`);

  recoverInterruptedSwap(resolved, previous);
  fs.rmSync(staging, { recursive: true, force: true });
  try {
    writeFiles(staging, files);
  } catch (err) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw err;
  }
  fs.rmSync(previous, { recursive: true, force: true });
  if (fs.existsSync(resolved)) fs.renameSync(resolved, previous);
  fs.renameSync(staging, resolved);
  fs.rmSync(previous, { recursive: true, force: true });
}

function recoverInterruptedSwap(target: string, previous: string): void {
  if (!fs.existsSync(target) && fs.existsSync(previous)) fs.renameSync(previous, target);
}

function writeFiles(root: string, files: ReadonlyMap<string, string>): void {
  fs.mkdirSync(root, { recursive: true });
  for (const [relative, content] of [...files].sort(([a], [b]) => a.localeCompare(b))) {
    const file = path.join(root, relative);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
  }
}
