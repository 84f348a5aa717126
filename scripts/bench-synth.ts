/**
 * Synth benchmark: where the time of a synth goes, as ratios side by side.
 *
 *   npm run bench            # BENCH_ROUNDS (default 20) warm rounds, BENCH_COLD (default 3) cold runs
 *
 * Warm figures run in this process after one warm-up round (schemas and CEL
 * rules compiled once). Cold figures spawn a fresh process each time, in a
 * copy of the project, so dist/ in the checkout is never touched.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Chart } from 'cdk8s';
import { SociBootstrap } from '../lib/bootstrap';
import { Ec2NodeClass, NodePool } from '../lib/constructs';
import { renderDistFiles, synthesizeCharts, validationGate } from '../lib/output';
import { buildApp } from '../main';

const ROOT = path.resolve(__dirname, '..');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 20);
const COLD_RUNS = Number(process.env.BENCH_COLD ?? 3);

interface Row {
  readonly name: string;
  readonly ms: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function timeWarm(name: string, run: () => void): Row {
  for (let i = 0; i < 3; i++) run(); // warm-up: module loading, JIT, schema and CEL compilation
  const samples: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const start = process.hrtime.bigint();
    run();
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return { name, ms: median(samples) };
}

/** An app with `pairs` EC2NodeClass/NodePool pairs in one cluster. */
function appWithPairs(pairs: number): App {
  const app = new App();
  const chart = new Chart(app, 'bench', { disableResourceNameHashes: true });
  for (let i = 0; i < pairs; i++) {
    const nodeClass = new Ec2NodeClass(chart, `Nodes${i}`, { role: 'KarpenterNodeRole-bench', discoveryTag: 'bench', bootstrap: SociBootstrap.native() });
    new NodePool(chart, `Pool${i}`, { nodeClass });
  }
  return app;
}

/** The three stages of a synth, each including the ones before it. */
function stages(label: string, build: () => App): Row[] {
  return [
    timeWarm(`${label}: build (constructs check props and the CRD)`, () => build()),
    timeWarm(`${label}: + synthesize (objects validated again)`, () => renderDistFiles(synthesizeCharts(build()))),
    timeWarm(`${label}: + validation gate (whole app, warnings)`, () => {
      const app = build();
      const charts = synthesizeCharts(app);
      validationGate(app, { warn: () => undefined })(charts);
      renderDistFiles(charts);
    }),
  ];
}

function projectCopy(): string {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-synth-'));
  for (const entry of ['cdk8s.yaml', 'main.ts', 'package.json', 'tsconfig.json', 'lib', 'imports', 'plugin', 'dist']) {
    fs.cpSync(path.join(ROOT, entry), path.join(work, entry), { recursive: true });
  }
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(work, 'node_modules'));
  return work;
}

function timeCold(name: string, cwd: string, command: string, args: string[]): Row {
  const samples: number[] = [];
  for (let i = 0; i < COLD_RUNS; i++) {
    const start = process.hrtime.bigint();
    const result = spawnSync(command, args, { cwd, encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`${name} failed:\n${result.stderr}`);
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return { name, ms: median(samples) };
}

function printTable(title: string, rows: Row[]): void {
  const base = rows[0].ms;
  console.log(`\n${title}`);
  console.log(`${'case'.padEnd(58)} ${'median ms'.padStart(10)} ${'ratio'.padStart(7)}`);
  for (const row of rows) {
    console.log(`${row.name.padEnd(58)} ${row.ms.toFixed(1).padStart(10)} ${(row.ms / base).toFixed(2).padStart(6)}x`);
  }
}

const USAGE = `Usage: npm run bench

Measures where the time of a synth goes, as medians and ratios side by side: warm stages in this process
(default app and 100 pool/class pairs), then cold runs of npm run synth, node --import tsx main.ts, tsx and
cdk8s synth, each in a fresh process in a temporary copy of the project (dist/ in the checkout is never touched).

Environment:
  BENCH_ROUNDS=N   warm rounds per case (default 20)
  BENCH_COLD=N     cold runs per command (default 3)
`;

function main(): void {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    process.stdout.write(USAGE);
    return;
  }
  printTable(`Warm, in process, default app (median of ${ROUNDS}; ratio to the first row)`, stages('default app', () => buildApp()));
  printTable(`Warm, in process, 100 pool/class pairs (median of ${ROUNDS}; ratio to the first row)`, stages('100 pairs', () => appWithPairs(100)));

  const work = projectCopy();
  try {
    const bin = (tool: string) => path.join(ROOT, 'node_modules/.bin', tool);
    printTable(`Cold, a new process each run (median of ${COLD_RUNS}; ratio to the first row)`, [
      timeCold('node --import tsx main.ts (validated, writes dist/)', work, process.execPath, ['--import', 'tsx', 'main.ts']),
      timeCold('npm run synth (npm + the same command)', work, 'npm', ['run', '-s', 'synth']),
      timeCold('npx tsx main.ts (tsx CLI: one more process)', work, bin('tsx'), ['main.ts']),
      timeCold('cdk8s synth (app + validation plugin)', work, bin('cdk8s'), ['synth', '--no-check-upgrade']),
    ]);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main();
