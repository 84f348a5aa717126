import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const PROJECT_ROOT = path.resolve(__dirname, '../..');

/** What the launcher (scripts/run-app.mjs) needs to judge and run build/: the build, its stamp's inputs and the scripts. */
const BUILD_ENTRIES = ['build', 'tsconfig.build.json', 'package-lock.json', 'scripts'];

/**
 * A copy of the project in a fresh temporary folder, for tests that run the app or the
 * CLI and must never touch the checkout: `entries` of the checkout, plus build/ as a
 * checkout has it after `npm ci` (timestamps kept, so the launcher finds it current
 * exactly when the checkout's is), and node_modules linked.
 */
export function projectCopy(prefix: string, entries: readonly string[]): string {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  for (const entry of new Set([...entries, ...BUILD_ENTRIES])) {
    if (fs.existsSync(path.join(PROJECT_ROOT, entry))) {
      fs.cpSync(path.join(PROJECT_ROOT, entry), path.join(work, entry), { recursive: true, preserveTimestamps: true });
    }
  }
  fs.symlinkSync(path.join(PROJECT_ROOT, 'node_modules'), path.join(work, 'node_modules'));
  return work;
}
