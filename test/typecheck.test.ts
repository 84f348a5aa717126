import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..');

/**
 * jest strips types without checking them (test/support/esbuild-transform.js), so the
 * whole project (lib, scripts, tests, main.ts) is type-checked here, as one suite that
 * runs beside the others instead of before them. Incremental: the build info lives in
 * node_modules/.cache, so a fresh `npm ci` starts cold.
 */
describe('TypeScript', () => {
  test('GIVEN the project and tsconfig.json WHEN tsc checks it THEN it reports no error', () => {
    // WHEN
    const result = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '--noEmit', '--incremental', '--tsBuildInfoFile', 'node_modules/.cache/cdk8s-karpenter-soci/typecheck.tsbuildinfo'], {
      cwd: ROOT,
      encoding: 'utf8',
    });

    // THEN (the diagnostics are the failure message)
    expect(`${result.stdout}${result.stderr}`).toBe('');
    expect(result.status).toBe(0);
  }, 180_000);
});
