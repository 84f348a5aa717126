#!/usr/bin/env node
/**
 * Step of `npm run build`, after tsc: writes the standalone ajv validators and the
 * CEL rules' parse trees beside the compiled validation modules (lib/validation/precompile.ts).
 */
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { PROJECT_DIR } from './build-stamp.cjs';

const USAGE = `Usage: node scripts/precompile-validators.mjs

Run by npm run build after tsc: writes build/lib/validation/standalone-validators.js (ajv standalone
validators of every schema) and build/lib/validation/cel-parse-trees.json (the CRDs' CEL rules, parsed),
which the compiled validators load instead of compiling at start-up.
`;

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  process.stdout.write(USAGE);
} else {
  const precompile = createRequire(import.meta.url)(path.join(PROJECT_DIR, 'build', 'lib', 'validation', 'precompile.js'));
  for (const file of precompile.writePrecompiled()) console.log(`${path.relative(PROJECT_DIR, file)}`);
}
