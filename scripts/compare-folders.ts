/**
 * Compares a committed folder with a freshly generated one and reports the
 * differences the way a reviewer reads them: which files differ, which are
 * missing or extra, and a unified diff of the first few. Used by
 * `npm run check` (dist/, the plugin bundle) and `npm run check:imports`.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** How a committed folder differs from a fresh rendering; paths relative to the folders, sorted. */
export interface FolderDifferences {
  /** In both, with different content. */
  readonly changed: readonly string[];
  /** Rendered afresh but absent from the committed folder. */
  readonly missing: readonly string[];
  /** In the committed folder but no longer rendered. */
  readonly extra: readonly string[];
}

/** Every file under `dir`, relative and sorted; an absent folder has none. */
export function listFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const files: string[] = [];
  const walk = (at: string) => {
    for (const entry of fs.readdirSync(path.join(dir, at), { withFileTypes: true })) {
      const relative = at === '' ? entry.name : `${at}/${entry.name}`;
      if (entry.isDirectory()) walk(relative);
      else files.push(relative);
    }
  };
  walk('');
  return files.sort();
}

/** Compares `committed` (what the repository holds) with `fresh` (what the generator writes now). */
export function compareFolders(committed: string, fresh: string): FolderDifferences {
  const old = listFiles(committed);
  const now = listFiles(fresh);
  const [oldSet, nowSet] = [new Set(old), new Set(now)];
  const changed = now.filter((file) => oldSet.has(file) && !fs.readFileSync(path.join(committed, file)).equals(fs.readFileSync(path.join(fresh, file))));
  const missing = now.filter((file) => !oldSet.has(file));
  const extra = old.filter((file) => !nowSet.has(file));
  return { changed, missing, extra };
}

export function isSame(differences: FolderDifferences): boolean {
  return differences.changed.length + differences.missing.length + differences.extra.length === 0;
}

/**
 * `diff -u` of two files (either may be absent), labelled with `label`;
 * cut to `maxLines` lines, each line to 160 characters, so one large file
 * cannot bury the rest.
 */
export function unifiedDiff(committedFile: string, freshFile: string, label: string, maxLines = 80): string {
  const side = (file: string) => (fs.existsSync(file) ? file : '/dev/null');
  const result = spawnSync('diff', ['-u', '--label', `${label} (committed)`, '--label', `${label} (fresh)`, side(committedFile), side(freshFile)], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (result.error) return `(no diff: ${result.error.message})\n`;
  const lines = result.stdout.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  if (lines.length === 0) return ''; // two empty files: nothing to show
  const shown = lines.slice(0, maxLines).map(cutLongLine);
  if (lines.length > maxLines) shown.push(`... ${lines.length - maxLines} more diff lines`);
  return `${shown.join('\n')}\n`;
}

/** Generated files can hold very long lines (a minified bundle): show their start and their length. */
function cutLongLine(line: string): string {
  const max = 160;
  return line.length <= max ? line : `${line.slice(0, max)}... (${line.length} characters)`;
}

/**
 * The report for one folder: a line per differing file, then the unified diffs
 * of the first `maxDiffs` of them. `shown` is the folder's name as the user knows it (`dist`).
 */
export function describeDifferences(shown: string, committed: string, fresh: string, differences: FolderDifferences, maxDiffs = 3): string {
  const rows = [
    ...differences.changed.map((file) => ({ file, state: 'differs' })),
    ...differences.missing.map((file) => ({ file, state: 'missing' })),
    ...differences.extra.map((file) => ({ file, state: 'extra' })),
  ];
  const lines = rows.map(({ file, state }) => `  ${state.padEnd(8)} ${shown}/${file}`);
  const diffs = rows
    .slice(0, maxDiffs)
    .map(({ file }) => unifiedDiff(path.join(committed, file), path.join(fresh, file), `${shown}/${file}`))
    .filter((diff) => diff !== '');
  const more = rows.length > maxDiffs ? [`(${rows.length - maxDiffs} more file(s) differ; diffs of the first ${maxDiffs} shown)\n`] : [];
  return [`${lines.join('\n')}\n`, ...diffs, ...more].join('\n');
}
