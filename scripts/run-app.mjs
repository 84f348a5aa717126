#!/usr/bin/env node
/**
 * Runs the app for `npm run synth` and for cdk8s.yaml's `app:` (so `cdk8s synth`).
 *
 * When build/ was compiled from the sources as they are now (the stamp `npm run build`
 * writes, see scripts/build-stamp.mjs), it runs the compiled app in this process: no
 * TypeScript is transpiled at start-up (build/app.js, the app bundled into one file by
 * scripts/bundle-app.mjs, else build/main.js). Otherwise it runs main.ts through
 * tsx, exactly as before, and says why on one line; stale JavaScript never runs.
 *
 * A stale build is not rebuilt here: `tsc -p tsconfig.build.json`, even incremental,
 * costs several seconds (it loads and checks the whole program), several times what
 * running main.ts through tsx costs.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { buildFreshness, PROJECT_DIR } from './build-stamp.mjs';

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

function runChild(args) {
  const result = spawnSync(process.execPath, [...args, ...process.argv.slice(2)], { stdio: 'inherit' });
  if (result.error) throw result.error;
  process.exitCode = result.status ?? 1;
}

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  process.stdout.write(USAGE);
} else {
  const freshness = buildFreshness();
  if (freshness.fresh) {
    // build/app.js is build/main.js bundled with its modules (scripts/bundle-app.mjs): it loads faster.
    const bundle = path.join(PROJECT_DIR, freshness.outDir, 'app.js');
    runCompiled(fs.existsSync(bundle) ? bundle : path.join(PROJECT_DIR, freshness.outDir, 'main.js'));
  } else {
    console.error(`synth: running main.ts through tsx: ${freshness.reason} (npm run build makes synth start faster)`);
    runChild(['--import', 'tsx', path.join(PROJECT_DIR, 'main.ts')]);
  }
}
