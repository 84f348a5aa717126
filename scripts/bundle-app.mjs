#!/usr/bin/env node
/**
 * Step of `npm run build`, after tsc and scripts/precompile-validators.mjs: bundles the
 * compiled app (build/main.js and every module it requires) into one file, build/app.js,
 * which scripts/run-app.mjs runs. One file loads about a third faster than the 400-odd
 * modules it replaces.
 *
 * The bundle also embeds what lib/precomputed.ts lists: results of the package's code
 * alone (the cluster file schema's text, the Helm chart's variants and values schema),
 * computed here by the compiled modules being bundled and written to build/precomputed/,
 * and the validators' precompiled files. So the bundle and its embedded results come
 * from one build. build/.npmignore keeps all of this out of the package.
 */
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { build } from 'esbuild';
import { PROJECT_DIR } from './build-stamp.cjs';

const BUILD = path.join(PROJECT_DIR, 'build');
export const APP_BUNDLE = 'app.js';
const PRECOMPUTED_DIR = 'precomputed';

const USAGE = `Usage: node scripts/bundle-app.mjs

Run by npm run build: bundles build/main.js into build/${APP_BUNDLE} (what npm run synth and cdk8s synth run),
with the results of lib/precomputed.ts computed now and embedded.
`;

/**
 * Computes the results that need computing, with the compiled modules about to be bundled, into
 * build/precomputed/; returns, for every key of lib/precomputed.ts, the file of build/ holding it.
 */
function writePrecomputed() {
  const compiled = (module) => createRequire(import.meta.url)(path.join(BUILD, 'lib', module));
  const computed = {
    clusterFileSchema: compiled('clusters').renderClusterFileSchema(),
    chartVariants: compiled('helm/helm-chart').chartVariants(),
    chartValuesSchema: compiled('helm/chart-values').chartValuesSchema(),
  };
  fs.mkdirSync(path.join(BUILD, PRECOMPUTED_DIR), { recursive: true });
  const modules = {
    standaloneValidators: './lib/validation/standalone-validators.js',
    celParseTrees: './lib/validation/cel-parse-trees.json',
  };
  for (const [key, value] of Object.entries(computed)) {
    modules[key] = `./${PRECOMPUTED_DIR}/${key}.json`;
    fs.writeFileSync(path.join(BUILD, modules[key]), `${JSON.stringify(value)}\n`);
  }
  const wanted = [...compiled('precomputed').PRECOMPUTED_KEYS].sort();
  if (JSON.stringify(Object.keys(modules).sort()) !== JSON.stringify(wanted)) {
    throw new Error(`bundle-app: embeds ${Object.keys(modules).sort().join(', ')}, but lib/precomputed.ts lists ${wanted.join(', ')}`);
  }
  return modules;
}

/** The bundle's entry point: embeds the results (each loaded on first use), then is build/main.js. */
function entryPoint(modules) {
  const loaders = Object.entries(modules).map(([key, file]) => `  ${key}: () => require(${JSON.stringify(file)}),`);
  return [
    `require('./lib/precomputed').embedPrecomputed({`,
    ...loaders,
    '});',
    "module.exports = require('./main.js');",
    '',
  ].join('\n');
}

/**
 * Packages the app loads only on demand, left out of the bundle for build/app.js to
 * require from node_modules: the CEL library (for a rule lib/validation/cel-fast-path.ts
 * leaves undecided) and ajv's schema compiler (for a schema without a standalone
 * validator). A synth of valid clusters loads neither, and without them the bundle is a
 * fifth smaller, which every synth reads and decodes. Exact names only: the ajv runtime
 * helpers and formats the standalone validators call on every synth stay in the bundle.
 */
const LOADED_ON_DEMAND = new Set(['@bufbuild/cel', '@bufbuild/cel/ext', 'ajv', 'ajv-formats']);

const leaveOnDemandPackages = {
  name: 'leave-on-demand-packages',
  setup(bundler) {
    bundler.onResolve({ filter: /^[@a-z]/ }, (args) => (LOADED_ON_DEMAND.has(args.path) ? { path: args.path, external: true } : undefined));
  },
};

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  process.stdout.write(USAGE);
} else {
  await build({
    plugins: [leaveOnDemandPackages],
    stdin: { contents: entryPoint(writePrecomputed()), resolveDir: BUILD, sourcefile: 'app-entry.js', loader: 'js' },
    outfile: path.join(BUILD, APP_BUNDLE),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: true,
    charset: 'ascii', // the default, named because scripts/run-app.mjs reads ASCII fastest
    keepNames: true, // error classes and cdk8s report constructs by name
    legalComments: 'eof',
    logLevel: 'error',
  });
  fs.writeFileSync(path.join(BUILD, '.npmignore'), ['/.sources*.json', `/${APP_BUNDLE}`, `/${APP_BUNDLE}.cache*`, `/${PRECOMPUTED_DIR}/`, ''].join('\n'));
  console.log(`build/${APP_BUNDLE}: ${(fs.statSync(path.join(BUILD, APP_BUNDLE)).size / 1024).toFixed(0)} KiB`);
}
