#!/usr/bin/env node
/**
 * Runs the app for `npm run synth` and for cdk8s.yaml's `app:` (so `cdk8s synth`).
 *
 * When build/ was compiled from the sources as they are now (the stamp `npm run build`
 * writes, see scripts/build-stamp.cjs), it runs the compiled app in this process: no
 * TypeScript is transpiled at start-up (build/app.js, the app bundled into one file by
 * scripts/bundle-app.mjs, else build/main.js). Otherwise it runs main.ts through
 * tsx, exactly as before, and says why on one line; stale JavaScript never runs.
 *
 * A stale build is not rebuilt here: `tsc -p tsconfig.build.json`, even incremental,
 * costs several seconds (it loads and checks the whole program), several times what
 * running main.ts through tsx costs.
 */
import { isAscii } from 'node:buffer';
import * as fs from 'node:fs';
import { createRequire, Module } from 'node:module';
import * as path from 'node:path';
import * as vm from 'node:vm';
import { buildFreshness, PROJECT_DIR } from './build-stamp.cjs';

const USAGE = `Usage: node scripts/run-app.mjs

Synthesizes the app (main.ts: one chart per clusters/*.yaml, validated) into dist/, as
npm run synth and cdk8s synth do. Runs the compiled build/main.js when build/ matches every
source it was compiled from (npm run build; build/app.js is it bundled into one file), else main.ts
through tsx.
`;

function runCompiled(compiled) {
  const app = createRequire(import.meta.url)(compiled);
  // main.js runs itself only as the entry point; here it is a module, so start it.
  if (typeof app.main === 'function') return app.main();
  return runChild([compiled]);
}

/**
 * Runs the bundle with V8's code cache (`<bundle>.cache`): compiling the bundle
 * and the functions a synth calls is a fifth of a default synth, and the cache skips it.
 * V8 checks the cache against the source, its own version and its flags, and rejects a
 * cache that does not match; then the bundle is compiled as usual and the cache written
 * again, after the synth, so it holds every function the synth compiled. The cache is
 * written to a temporary file and renamed, and a read-only build/ only goes without it.
 */
async function runBundle(bundle) {
  const cacheFile = `${bundle}.cache`;
  const cachedData = readIfExists(cacheFile);
  const script = new vm.Script(Module.wrap(readSource(bundle)), { filename: bundle, cachedData });
  const module = new Module(bundle);
  module.filename = bundle;
  script.runInThisContext().call(module.exports, module.exports, createRequire(bundle), module, bundle, path.dirname(bundle));
  module.loaded = true;
  try {
    await module.exports.main();
  } finally {
    if (cachedData === undefined || script.cachedDataRejected) writeCodeCache(cacheFile, script);
  }
}

/**
 * The bundle's text. esbuild writes it as ASCII (it escapes other characters), which
 * Latin-1 decodes byte for byte in about half the time UTF-8 decoding takes (10-15 ms
 * of the 2.4 MB bundle it was measured with); anything else is decoded as UTF-8.
 */
function readSource(file) {
  const bytes = fs.readFileSync(file);
  return isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
}

function readIfExists(file) {
  try {
    return fs.readFileSync(file);
  } catch {
    return undefined;
  }
}

function writeCodeCache(cacheFile, script) {
  const temporary = `${cacheFile}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(temporary, script.createCachedData());
    fs.renameSync(temporary, cacheFile);
  } catch {
    fs.rmSync(temporary, { force: true });
  }
}

function runChild(args) {
  // Loaded here, not at the top: node:child_process costs 2-3 ms to load, and only the tsx fallback needs it.
  const { spawnSync } = createRequire(import.meta.url)('node:child_process');
  const result = spawnSync(process.execPath, [...args, ...process.argv.slice(2)], { stdio: 'inherit' });
  if (result.error) throw result.error;
  process.exitCode = result.status ?? 1;
}

/**
 * What may still be open when the app is done without holding the process: the standard
 * streams' handles, and the close of a file the ES module loader read.
 */
const IDLE_RESOURCES = new Set(['TTYWrap', 'PipeWrap', 'CloseReq']);

/**
 * Ends the process now that the app is done, when nothing else is pending (an app that
 * left a timer, a request or a child process running is left to end by itself) and stdout
 * and stderr hold nothing unwritten (on Linux they write files, pipes and terminals
 * synchronously). Left to end by itself, Node.js first lets V8 finish a garbage collection
 * begun during the synth: 15-20 ms of a 350 ms run, for memory about to be freed anyway.
 * The exit code is process.exitCode, as runSynth set it.
 */
function exitOnceDone() {
  const pending = process.getActiveResourcesInfo().filter((resource) => !IDLE_RESOURCES.has(resource));
  if (pending.length === 0 && process.stdout.writableLength === 0 && process.stderr.writableLength === 0) process.exit();
}

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  process.stdout.write(USAGE);
} else {
  const freshness = buildFreshness();
  if (freshness.fresh) {
    // build/app.js is build/main.js bundled with its modules (scripts/bundle-app.mjs): it loads faster.
    const bundle = path.join(PROJECT_DIR, freshness.outDir, 'app.js');
    if (fs.existsSync(bundle)) await runBundle(bundle);
    else await runCompiled(path.join(PROJECT_DIR, freshness.outDir, 'main.js'));
    exitOnceDone();
  } else {
    console.error(`synth: running main.ts through tsx: ${freshness.reason} (npm run build makes synth start faster)`);
    // tsx's full loader (ESM hooks too): main.ts is the team's, and may import() TypeScript.
    runChild(['--import', 'tsx', path.join(PROJECT_DIR, 'main.ts')]);
  }
}
