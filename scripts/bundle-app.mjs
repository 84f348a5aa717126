#!/usr/bin/env node
/**
 * Step of `npm run build`, after tsc and scripts/precompile-validators.mjs: bundles the
 * compiled app (build/main.js and every module it requires) into one file, build/app.js,
 * which scripts/run-app.mjs runs. One file loads about a third faster than the 400-odd
 * modules it replaces. The validators' precompiled files are copied beside it, since the
 * bundled modules look for them in their own folder; they are checked as everywhere
 * else (schema hash, CEL version). build/.npmignore keeps all of this out of the package.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildSync } from 'esbuild';
import { PROJECT_DIR } from './build-stamp.mjs';

const BUILD = path.join(PROJECT_DIR, 'build');
export const APP_BUNDLE = 'app.js';
const PRECOMPILED = ['standalone-validators.js', 'cel-parse-trees.json'];

const USAGE = `Usage: node scripts/bundle-app.mjs

Run by npm run build: bundles build/main.js into build/${APP_BUNDLE} (what npm run synth and cdk8s synth run)
and copies the precompiled validators beside it.
`;

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  process.stdout.write(USAGE);
} else {
  buildSync({
    entryPoints: [path.join(BUILD, 'main.js')],
    outfile: path.join(BUILD, APP_BUNDLE),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: true,
    keepNames: true, // error classes and cdk8s report constructs by name
    legalComments: 'eof',
    logLevel: 'error',
  });
  for (const file of PRECOMPILED) fs.copyFileSync(path.join(BUILD, 'lib', 'validation', file), path.join(BUILD, file));
  fs.writeFileSync(path.join(BUILD, '.npmignore'), ['/.sources*.json', `/${APP_BUNDLE}`, `/${APP_BUNDLE}.cache*`, ...PRECOMPILED.map((f) => `/${f}`), ''].join('\n'));
  console.log(`build/${APP_BUNDLE}: ${(fs.statSync(path.join(BUILD, APP_BUNDLE)).size / 1024).toFixed(0)} KiB`);
}
