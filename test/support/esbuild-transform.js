/**
 * Jest transform for the TypeScript sources and tests: esbuild strips the types, as tsx does
 * for the app (tsconfig sets isolatedModules, so every file compiles on its own). Types are
 * checked by `tsc --noEmit` in test/typecheck.test.ts, a suite of its own. A file takes about a millisecond,
 * which matters on a cold cache (a fresh clone, CI).
 */
const crypto = require('node:crypto');
const { transformSync, version } = require('esbuild');

const OPTIONS = {
  loader: 'ts',
  format: 'cjs',
  target: 'node20',
  sourcemap: 'external',
  // The class-field semantics tsc gives target ES2022, which build/ is compiled with.
  tsconfigRaw: { compilerOptions: { target: 'ES2022', useDefineForClassFields: true } },
};

module.exports = {
  process(source, filename) {
    const { code, map } = transformSync(source, { ...OPTIONS, sourcefile: filename });
    return { code, map };
  },
  getCacheKey(source, filename) {
    return crypto.createHash('sha256').update(version).update(JSON.stringify(OPTIONS)).update(filename).update('\0').update(source).digest('hex');
  },
};
