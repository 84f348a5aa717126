import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The path of a file `npm run build` precompiles for validation (standalone ajv
 * validators, CEL parse trees), or undefined when there is none. It is looked for
 * beside the module that reads it: build/lib/validation/, or the folder of a bundle
 * (build/app.js, plugin/). Run from source (lib/validation/, through tsx, while
 * build/ is stale), the project's build/ is tried too: its files are still good for
 * every schema and rule that did not change, and the readers use a file only where
 * it matches (schema hash, CEL library version), compiling the rest as usual.
 */
export function precompiledFile(name: string): string | undefined {
  const candidates = [path.join(__dirname, name)];
  if (isSourceFolder(__dirname)) candidates.push(path.join(__dirname, '..', '..', 'build', 'lib', 'validation', name));
  return candidates.find((file) => fs.existsSync(file));
}

/** `<project>/lib/validation`, not `<project>/build/lib/validation`. */
function isSourceFolder(dir: string): boolean {
  const lib = path.dirname(dir);
  return path.basename(dir) === 'validation' && path.basename(lib) === 'lib' && path.basename(path.dirname(lib)) !== 'build';
}
