import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The path of a file `npm run build` precompiles for validation (standalone ajv
 * validators, CEL parse trees), or undefined when there is none. It is looked for
 * beside the module that reads it, build/lib/validation/ (the app bundle, build/app.js,
 * embeds both instead: lib/precomputed.ts). Two other layouts of this package find the
 * package's own build/: run from source (lib/validation/, through tsx, while build/ is
 * stale), and the validation plugin's bundle (plugin/, beside build/ in the checkout
 * and in the installed package). A stale build's files are still good for every schema
 * and rule that did not change: the readers use a file only where it matches (schema
 * hash, CEL library version), and compile the rest as usual.
 */
export function precompiledFile(name: string): string | undefined {
  const candidates = [path.join(__dirname, name)];
  const packageRoot = packageRootOf(__dirname);
  if (packageRoot !== undefined) candidates.push(path.join(packageRoot, 'build', 'lib', 'validation', name));
  return candidates.find((file) => fs.existsSync(file));
}

/** The package root when `dir` is `<root>/lib/validation` (sources) or `<root>/plugin` (the plugin bundle). */
function packageRootOf(dir: string): string | undefined {
  if (path.basename(dir) === 'plugin') return path.dirname(dir);
  const lib = path.dirname(dir);
  const root = path.dirname(lib);
  const isSources = path.basename(dir) === 'validation' && path.basename(lib) === 'lib' && path.basename(root) !== 'build';
  return isSources ? root : undefined;
}
