import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const PROJECT_ROOT = path.resolve(__dirname, '../..');

/** What the launcher (scripts/run-app.mjs) needs to judge and run build/: the build, its stamp's inputs and the scripts. */
const BUILD_ENTRIES = ['build', 'tsconfig.build.json', 'package-lock.json', 'scripts'];

/**
 * Entries linked to the checkout instead of copied: sources no test changes in a copy.
 * Node runs a linked file under its real path, so tsx's transform cache (keyed by path)
 * serves every copy after the first, instead of transpiling lib/ again for each.
 */
const LINKED_ENTRIES = new Set(['lib', 'imports', 'node_modules']);

/**
 * A copy of the project in a fresh temporary folder, for tests that run the app or the
 * CLI and must never touch the checkout: `entries` of the checkout, plus build/ as a
 * checkout has it after `npm ci` (timestamps kept, so the launcher finds it current
 * exactly when the checkout's is), with lib/, imports/ and node_modules/ linked.
 */
export function projectCopy(prefix: string, entries: readonly string[]): string {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  for (const entry of new Set([...entries, ...BUILD_ENTRIES, 'node_modules'])) {
    const source = path.join(PROJECT_ROOT, entry);
    if (!fs.existsSync(source)) continue;
    if (LINKED_ENTRIES.has(entry)) fs.symlinkSync(source, path.join(work, entry));
    else fs.cpSync(source, path.join(work, entry), { recursive: true, preserveTimestamps: true });
  }
  return work;
}
