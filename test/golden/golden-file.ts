/**
 * Byte-for-byte golden files. They are rewritten only when UPDATE_GOLDEN=1,
 * and never under CI=true, so CI always compares against what was committed.
 */
import * as fs from 'fs';
import * as path from 'path';

export const GOLDEN_DIR = path.join(__dirname, 'userdata');

/** True when this run may rewrite goldens. */
export function mayUpdateGoldens(): boolean {
  return process.env.UPDATE_GOLDEN === '1' && process.env.CI !== 'true';
}

/**
 * Compares `actual` with `test/golden/userdata/<name>` (or writes it when
 * updating is allowed). A missing golden fails, with the command to create it.
 */
export function expectMatchesGolden(name: string, actual: string): void {
  const file = path.join(GOLDEN_DIR, name);
  if (mayUpdateGoldens()) {
    fs.mkdirSync(GOLDEN_DIR, { recursive: true });
    fs.writeFileSync(file, actual);
    return;
  }
  if (!fs.existsSync(file)) {
    throw new Error(`golden file ${path.relative(process.cwd(), file)} is missing; create it with UPDATE_GOLDEN=1 npx jest (never under CI=true) and review it`);
  }
  // toBe on strings: the diff shows exactly which bytes changed.
  expect(actual).toBe(fs.readFileSync(file, 'utf8'));
}
