/**
 * Synth benchmark: whole-process wall time and peak memory of the ways to run the
 * app, side by side, and how the synth grows with the number of pools.
 *
 *   npm run bench                 # everything (about 8 minutes on 2 cores)
 *   npm run bench -- --pairs 1,100 --runs 3
 *
 * Every run is a fresh process in a temporary copy of the project (the checkout's
 * dist/ is never written), timed from spawn to exit; peak memory is the largest
 * resident set of the process tree (GNU time's %M). Results go to bench/results.md.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..');
const RESULTS_FILE = path.join(ROOT, 'bench', 'results.md');
const NO_VALIDATION = path.join(ROOT, 'bench', 'no-validation.cjs');
const GNU_TIME = '/usr/bin/time';
const PROJECT_ENTRIES = ['cdk8s.yaml', 'main.ts', 'package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'lib', 'imports', 'clusters', 'plugin', 'scripts', 'dist', 'build'];
/** The strategies a generated cluster cycles through, with an AMI each supports (all three are templated by the Helm chart). */
const PAIR_STRATEGIES = [['native', 'al2023@v20260724'], ['bottlerocket', 'bottlerocket@v1.50.0'], ['manualInstall', 'al2023@v20250715']] as const;

const USAGE = `Usage: npm run bench [-- --runs N] [-- --pairs 1,100,1000,10000]

Measures whole-process wall time (median) and peak RSS, each run a fresh process in a temporary copy of
the project (the checkout's dist/ is never written):
  - the default app (clusters/) through npm run synth, node scripts/run-app.mjs (build/app.js), node build/main.js,
    node --import tsx main.ts (the fallback when build/ is stale), cdk8s synth (app and validation
    plugin) and the stock npx ts-node main.ts, as ratios to ts-node;
  - one cluster of 1, 100, 1,000 and 10,000 pool/class pairs through the launcher (after a previous
    synth, and with dist/ removed first), and through node build/main.js with full validation and with
    the manifest validation off (bench/no-validation.cjs), for the share of validation;
  - userData bytes per bootstrap strategy.
Prints a table as it goes and writes bench/results.md with a line describing the machine.

  --runs N       runs per case (default 5; 10,000 pairs use at most 3)
  --pairs LIST   pool/class pair counts (default 1,100,1000,10000)
  --help         print this text
`;

interface Options {
  readonly runs: number;
  readonly pairs: readonly number[];
}

function parseOptions(argv: readonly string[]): Options {
  const value = (flag: string) => {
    const index = argv.indexOf(flag);
    return index >= 0 ? argv[index + 1] : undefined;
  };
  const runs = Number(value('--runs') ?? 5);
  const pairs = (value('--pairs') ?? '1,100,1000,10000').split(',').map(Number);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs ${value('--runs')} is invalid: a whole number of at least 1`);
  if (pairs.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`--pairs ${value('--pairs')} is invalid: whole numbers of at least 1, separated by commas`);
  return { runs, pairs };
}

/** One measured run. */
interface Sample {
  readonly seconds: number;
  readonly peakMiB: number | undefined;
}

/** The median of several runs. */
interface Measure {
  readonly seconds: number;
  readonly peakMiB: number | undefined;
  readonly runs: number;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

const hasGnuTime = fs.existsSync(GNU_TIME);

/** Runs a command once; wall time from spawn to exit, peak RSS of the process tree from GNU time. */
function runOnce(cwd: string, command: string, args: readonly string[], label: string): Sample {
  const rssFile = path.join(cwd, '.bench-rss');
  const [file, argv] = hasGnuTime ? [GNU_TIME, ['-f', '%M', '-o', rssFile, command, ...args]] : [command, [...args]];
  const start = process.hrtime.bigint();
  const result = spawnSync(file, argv, { cwd, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, env: { ...process.env, CDK8S_CHECK_UPGRADE: 'false' } });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (result.status !== 0) throw new Error(`${label} failed (exit ${result.status}):\n${(result.stderr || result.stdout).slice(-2000)}`);
  const peakKiB = hasGnuTime ? Number(fs.readFileSync(rssFile, 'utf8').trim().split('\n').pop()) : NaN;
  return { seconds, peakMiB: Number.isFinite(peakKiB) ? peakKiB / 1024 : undefined };
}

interface Case {
  readonly label: string;
  readonly command: string;
  readonly args: readonly string[];
  /** Run before each run of the case, untimed. */
  readonly before?: () => void;
}

/**
 * Runs the cases in turn, round after round (not one case's runs back to back), so a
 * change in the machine's load during the bench weighs on every case alike.
 */
function measureInTurn(cwd: string, cases: readonly Case[], runs: number): Measure[] {
  const samples: Sample[][] = cases.map(() => []);
  for (let round = 0; round < runs; round++) {
    cases.forEach((c, i) => {
      process.stdout.write(`\r  round ${round + 1}/${runs}: ${c.label}`.padEnd(100));
      c.before?.();
      samples[i].push(runOnce(cwd, c.command, c.args, c.label));
    });
  }
  process.stdout.write(`\r${''.padEnd(100)}\r`);
  return cases.map((c, i) => {
    const peaks = samples[i].map((s) => s.peakMiB).filter((p): p is number => p !== undefined);
    const result = { seconds: median(samples[i].map((s) => s.seconds)), peakMiB: peaks.length > 0 ? Math.max(...peaks) : undefined, runs };
    process.stdout.write(`  ${c.label}: median ${result.seconds.toFixed(3)} s, peak ${mib(result.peakMiB)} (${runs} runs)\n`);
    return result;
  });
}

function mib(value: number | undefined): string {
  return value === undefined ? 'n/a' : `${value.toFixed(0)} MiB`;
}

/** A copy of the project with a current build/ (copied when the checkout's is current, else built in the copy). */
function projectCopy(): { dir: string; note: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-synth-'));
  for (const entry of PROJECT_ENTRIES.filter((e) => fs.existsSync(path.join(ROOT, e)))) {
    fs.cpSync(path.join(ROOT, entry), path.join(dir, entry), { recursive: true, preserveTimestamps: true });
  }
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  const copied = stampCheck(dir); // the copy keeps the checkout's files and timestamps, so it is as current as the checkout
  if (copied.fresh) return { dir, note: "build/ copied from the checkout (current)" };
  process.stdout.write(`build/ of the checkout is not current (${copied.reason}); npm run build in the copy...\n`);
  const build = spawnSync('npm', ['run', '-s', 'build'], { cwd: dir, encoding: 'utf8' });
  const built = build.status === 0 ? stampCheck(dir) : undefined;
  const problem = !built ? `npm run build failed:\n${build.stderr || build.stdout}` : built.fresh ? undefined : `build/ is not current after npm run build: ${built.reason}`;
  if (problem) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw new Error(problem);
  }
  return { dir, note: 'build/ made by npm run build in the copy' };
}

/** The launcher's own freshness check, on the project copy `dir` (by the copy's own stamp module). */
function stampCheck(dir: string): { fresh: boolean; reason?: string } {
  const stamp = require(path.join(dir, 'scripts', 'build-stamp.cjs')) as typeof import('./build-stamp.cjs');
  return stamp.buildFreshness(dir);
}

/** clusters/ holding one cluster, my-cluster (the Helm chart's default), with `pairs` node classes and pools. */
function writePairsCluster(dir: string, pairs: number): void {
  const clusters = path.join(dir, 'clusters');
  for (const file of fs.readdirSync(clusters).filter((f) => f.endsWith('.yaml'))) fs.rmSync(path.join(clusters, file));
  const lines = ['# yaml-language-server: $schema=./cluster.schema.json', 'name: my-cluster', 'nodeClasses:'];
  for (let i = 0; i < pairs; i++) {
    const [strategy, alias] = PAIR_STRATEGIES[i % PAIR_STRATEGIES.length];
    lines.push(`  - name: ${strategy.toLowerCase()}-${i}`, '    role: KarpenterNodeRole-bench', '    discoveryTag: bench', `    amiAlias: ${alias}`, '    bootstrap:', `      strategy: ${strategy}`);
  }
  lines.push('nodePools:');
  for (let i = 0; i < pairs; i++) lines.push(`  - name: pool-${i}`, `    nodeClass: ${PAIR_STRATEGIES[i % PAIR_STRATEGIES.length][0].toLowerCase()}-${i}`);
  fs.writeFileSync(path.join(clusters, 'my-cluster.yaml'), `${lines.join('\n')}\n`);
}

/** userData bytes of a node class per bootstrap strategy, with each strategy's defaults (in this process). */
function userDataBytes(): Array<[string, number]> {
  // Loaded here, not at the top: --help and the timed runs never need the library in this process.
  const { buildClustersApp } = require('../lib/clusters') as typeof import('../lib/clusters');
  const { synthesizeCharts } = require('../lib/output') as typeof import('../lib/output');
  const strategies = [['native', 'al2023@v20260724'], ['manualInstall', 'al2023@v20250715'], ['bottlerocket', 'bottlerocket@v1.50.0'], ['amiDefault', 'al2023@v20260724']] as const;
  const nodeClasses = strategies.map(([strategy, amiAlias]) => ({ name: strategy.toLowerCase(), role: 'KarpenterNodeRole-bench', discoveryTag: 'bench', amiAlias, bootstrap: { strategy } }));
  const [chart] = synthesizeCharts(buildClustersApp([{ name: 'bench', file: 'bench.yaml', nodeClasses, nodePools: [] }]));
  return strategies.map(([strategy]) => {
    const manifest = chart.manifests.find((m) => m.metadata.name === strategy.toLowerCase()) as { spec?: { userData?: string } } | undefined;
    return [strategy, Buffer.byteLength(manifest?.spec?.userData ?? '')];
  });
}

function machineLine(): string {
  const cpu = /^model name\s*:\s*(.+)$/m.exec(fs.existsSync('/proc/cpuinfo') ? fs.readFileSync('/proc/cpuinfo', 'utf8') : '')?.[1] ?? os.cpus()[0]?.model ?? 'unknown CPU';
  const load = os.loadavg().map((l) => l.toFixed(1)).join(', ');
  return `${cpu}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB memory, Node.js ${process.version}, ${os.type()} ${os.release()}; load average at start ${load}`;
}

function seconds(value: number): string {
  return `${value.toFixed(value < 10 ? 3 : 2)} s`;
}

async function main(): Promise<void> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    process.stdout.write(USAGE);
    return;
  }
  const options = parseOptions(process.argv.slice(2));
  const machine = machineLine();
  console.log(`${machine}\n`);
  if (!hasGnuTime) console.log(`${GNU_TIME} is missing: peak memory is not measured.`);
  const { dir, note } = projectCopy();
  const bin = (tool: string) => path.join(ROOT, 'node_modules', '.bin', tool);
  const md: string[] = [];
  try {
    console.log(`Default app (clusters/ of the checkout), ${options.runs} runs each; ${note}`);
    const runners: Array<[string, string, string[]]> = [
      ['`npm run synth` (npm, then the launcher: build/app.js)', 'npm', ['run', '-s', 'synth']],
      ['`node scripts/run-app.mjs` (the launcher, without npm)', process.execPath, ['scripts/run-app.mjs']],
      ['`node build/main.js` (the compiled app, not bundled)', process.execPath, ['build/main.js']],
      ['`node --import tsx main.ts` (the launcher\'s fallback)', process.execPath, ['--import', 'tsx', 'main.ts']],
      ['`cdk8s synth` (CLI, app, validation plugin)', bin('cdk8s'), ['synth', '--no-check-upgrade']],
      ['`npx ts-node main.ts` (stock cdk8s TypeScript runner)', 'npx', ['ts-node', 'main.ts']],
    ];
    const measures = measureInTurn(dir, runners.map(([label, command, args]) => ({ label: label.replace(/`/g, ''), command, args })), options.runs);
    const results = runners.map(([label], i) => [label, measures[i]] as const);
    const stock = results[results.length - 1][1].seconds;
    md.push('### The default app, whole process', '', `Median of ${options.runs} runs (the runners in turn, round after round); ratio to the stock ts-node runner.`, '', '| runner | median | ratio to ts-node | peak RSS |', '|---|---:|---:|---:|');
    for (const [label, m] of results) md.push(`| ${label} | ${seconds(m.seconds)} | ${(m.seconds / stock).toFixed(2)}x | ${mib(m.peakMiB)} |`);

    md.push('', '### Pool/class pairs, whole process', '');
    md.push('One cluster of N node classes (native, bottlerocket and manualInstall in turn) and N pools; the synth writes the', "cluster's folder, the Helm chart and the GitOps objects.", '');
    md.push('- **launcher**: `node scripts/run-app.mjs`, what `npm run synth` and `cdk8s synth` run (build/app.js, with its code cache);', '  `dist/` holds the previous run\'s output, as it does between two synths of a project, so an unchanged output is left as it is.', '- **first synth**: the same with `dist/` removed before each run, so every file is written.', '- **validation on / off**: `node build/main.js` (the compiled modules, not bundled), without and with bench/no-validation.cjs, which', '  turns off manifest validation (CRD schemas, CEL rules and SOCI guards at construction, at synth and in the gate; cluster', '  files are still checked as they are read); their difference is the share of validation.', '');
    md.push('All cases run in turn, round after round.', '');
    md.push('| pairs | runs | launcher | per pair | peak RSS | first synth | validation on | validation off | validation share |', '|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
    console.log('\nPool/class pairs');
    const perPair = new Map<number, number>();
    for (const pairs of options.pairs) {
      writePairsCluster(dir, pairs);
      const runs = pairs >= 10_000 ? Math.min(options.runs, 3) : options.runs;
      if (runs < options.runs) console.log(`  ${pairs.toLocaleString('en-US')} pairs: ${runs} runs instead of ${options.runs}, to keep the bench short`);
      const count = pairs.toLocaleString('en-US');
      runOnce(dir, process.execPath, ['scripts/run-app.mjs'], `${count} pairs, warm-up`); // so the first launcher run also finds this output in dist/
      // build/main.js for on and off: the preload that turns validation off replaces modules of build/lib/, which the bundle does not load.
      const [launcher, first, on, off] = measureInTurn(dir, [
        { label: `${count} pairs, launcher`, command: process.execPath, args: ['scripts/run-app.mjs'] },
        { label: `${count} pairs, first synth`, command: process.execPath, args: ['scripts/run-app.mjs'], before: () => fs.rmSync(path.join(dir, 'dist'), { recursive: true, force: true }) },
        { label: `${count} pairs, validation on`, command: process.execPath, args: ['build/main.js'] },
        { label: `${count} pairs, validation off`, command: process.execPath, args: ['--require', NO_VALIDATION, 'build/main.js'] },
      ], runs);
      perPair.set(pairs, launcher.seconds / pairs);
      // Can come out below zero when validation costs less than the noise between runs.
      const share = (on.seconds - off.seconds) / on.seconds;
      md.push(`| ${count} | ${runs} | ${seconds(launcher.seconds)} | ${((launcher.seconds / pairs) * 1000).toFixed(2)} ms | ${mib(launcher.peakMiB)} | ${seconds(first.seconds)} | ${seconds(on.seconds)} | ${seconds(off.seconds)} | ${(share * 100).toFixed(0)} % |`);
    }
    if (perPair.has(1000) && perPair.has(10_000)) {
      md.push('', `Per-pair cost at 10,000 pairs is ${(perPair.get(10_000)! / perPair.get(1000)!).toFixed(2)}x that at 1,000 through the launcher (1.00x is linear; fixed start-up makes smaller counts cost more per pair). A validation share below zero means validation cost less than the noise between runs.`);
    }

    console.log('\nuserData bytes per bootstrap strategy');
    md.push('', '### userData bytes per bootstrap strategy', '', 'Each strategy with its defaults, no tuning (EC2 allows 16,384 bytes before base64).', '', '| strategy | userData bytes |', '|---|---:|');
    for (const [strategy, bytes] of userDataBytes()) {
      console.log(`  ${strategy}: ${bytes} bytes`);
      md.push(`| ${strategy} | ${bytes.toLocaleString('en-US')} |`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const report = ['# Synth benchmark', '', `Measured by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}: ${machine}.`, '', ...md, ''].join('\n');
  fs.mkdirSync(path.dirname(RESULTS_FILE), { recursive: true });
  fs.writeFileSync(RESULTS_FILE, report);
  console.log(`\n${report}\nwritten to ${path.relative(ROOT, RESULTS_FILE)}`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
});
