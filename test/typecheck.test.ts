import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..');

/**
 * jest strips types without checking them (test/support/esbuild-transform.js), so the
 * whole project (lib, scripts, tests, main.ts) is type-checked here, by `npm run typecheck`,
 * as one suite that runs beside the others instead of before them. Incremental: the build
 * info lives in node_modules/.cache, so a fresh `npm ci` starts cold.
 */
describe('TypeScript', () => {
  test('GIVEN the project and tsconfig.json WHEN npm run typecheck checks it THEN tsc reports no error', () => {
    // WHEN
    const result = spawnSync('npm', ['run', '-s', 'typecheck'], { cwd: ROOT, encoding: 'utf8' });

    // THEN (the diagnostics are the failure message)
    expect(`${result.stdout}${result.stderr}`).toBe('');
    expect(result.status).toBe(0);
  }, 180_000);
});
