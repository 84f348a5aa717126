/**
 * `npm run pull-report -- ...`: reads the benchmark pods and their events (from kubectl or a
 * saved file), prints each pool's pull figures and the speed-up against the baseline, and can
 * write them as an SVG bar chart.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import { FlagKind, FlagSpec, parseFlags, UsageError } from '../cli/argv';
import { BENCHMARK_APP, BenchmarkLabels } from './benchmark-labels';
import { collectPullSamples, PullSamples } from './pull-events';
import { renderPullReportSvg } from './pull-report-svg';
import { formatSeconds, PoolPullFigures, summarizePulls } from './pull-stats';

const FLAGS: readonly FlagSpec[] = [
  { name: 'namespace', kind: FlagKind.VALUE, help: 'NAME  namespace of the benchmark Jobs (default: kubectl\'s current namespace)' },
  { name: 'context', kind: FlagKind.VALUE, help: 'NAME  kubeconfig context to read from (default: the current context)' },
  { name: 'from', kind: FlagKind.VALUE, help: 'FILE  read pods and events from a file saved with `kubectl get pods,events -o json > FILE` instead of a cluster' },
  { name: 'svg', kind: FlagKind.VALUE, help: 'FILE  also write the figures as an SVG bar chart' },
  { name: 'json', kind: FlagKind.SWITCH, help: 'print the figures as JSON instead of a table' },
  { name: 'help', kind: FlagKind.SWITCH, help: 'print this help' },
];

export const USAGE = `usage: npm run -s pull-report -- [--namespace N] [--context C] [--from FILE] [--svg FILE] [--json]

Pull time of each ImagePullBenchmark pod, from the kubelet's Pulled event, per pool:
count, median, p90, min, max and the speed-up of the median against the baseline pool.

${FLAGS.map((f) => `  --${f.name} ${f.help}`).join('\n')}
`;

/** What the command prints and writes. */
export interface PullReportResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
}

/** The outside world the command needs, replaceable in tests. */
export interface PullReportIo {
  /** Runs kubectl with these arguments. */
  kubectl(args: readonly string[]): { status: number | null; stdout: string; stderr: string; error?: NodeJS.ErrnoException };
  readFile(path: string): string;
  writeFile(path: string, content: string): void;
}

const SYSTEM_IO: PullReportIo = {
  kubectl: (args) => {
    const run = spawnSync('kubectl', args, { encoding: 'utf8', maxBuffer: 256 * 2 ** 20, timeout: 60_000 });
    return { status: run.status, stdout: run.stdout ?? '', stderr: run.stderr ?? '', error: run.error as NodeJS.ErrnoException | undefined };
  },
  readFile: (path) => fs.readFileSync(path, 'utf8'),
  writeFile: (path, content) => fs.writeFileSync(path, content),
};

/** A problem that ends the command with a one-line message. */
class ReportError extends Error {}

export function runPullReport(argv: readonly string[], io: PullReportIo = SYSTEM_IO): PullReportResult {
  try {
    const flags = parseFlags(argv, FLAGS);
    if (flags.get('help') === 'true') return { stdout: USAGE, stderr: '', exitCode: 0 };
    if (flags.has('from') && (flags.has('namespace') || flags.has('context'))) {
      throw new UsageError('--from', 'reads a saved file; --namespace and --context apply only when reading from a cluster');
    }
    const objects = flags.has('from')
      ? readSavedObjects(io, flags.get('from')!)
      : readClusterObjects(io, flags.get('namespace'), flags.get('context'));
    const found = collectPullSamples(objects);
    const figures = summarizePulls(found.samples);
    if (flags.has('svg')) io.writeFile(flags.get('svg')!, renderPullReportSvg(figures));
    const stdout = flags.get('json') === 'true' ? renderJson(figures, found) : renderTable(figures, found);
    const stderr = found.samples.length === 0 ? 'pull-report: no benchmark pod with a pull time was found (is the benchmark applied, and its namespace given?)\n' : '';
    return { stdout, stderr, exitCode: found.samples.length === 0 ? 1 : 0 };
  } catch (error) {
    if (error instanceof UsageError) return { stdout: '', stderr: `pull-report: ${error.message}\n\n${USAGE}`, exitCode: 2 };
    if (error instanceof ReportError) return { stdout: '', stderr: `pull-report: ${error.message}\n`, exitCode: 1 };
    throw error;
  }
}

function readSavedObjects(io: PullReportIo, file: string): unknown[] {
  let text: string;
  try {
    text = io.readFile(file);
  } catch (error) {
    throw new ReportError(`--from: cannot read ${file}: ${(error as Error).message}`);
  }
  return itemsOf(text, `--from ${file}`);
}

function readClusterObjects(io: PullReportIo, namespace?: string, context?: string): unknown[] {
  const scope = [...(context ? ['--context', context] : []), ...(namespace ? ['--namespace', namespace] : [])];
  const pods = kubectlJson(io, [...scope, 'get', 'pods', '--selector', `${BenchmarkLabels.APP}=${BENCHMARK_APP}`, '--output', 'json']);
  const events = kubectlJson(io, [...scope, 'get', 'events', '--field-selector', 'reason=Pulled,involvedObject.kind=Pod', '--output', 'json']);
  return [...pods, ...events];
}

function kubectlJson(io: PullReportIo, args: readonly string[]): unknown[] {
  const run = io.kubectl(args);
  if (run.error?.code === 'ENOENT') {
    throw new ReportError('kubectl is not on PATH; install kubectl, or pass --from FILE saved with `kubectl get pods,events -o json > FILE`');
  }
  if (run.error || run.status !== 0) {
    const detail = (run.stderr.trim().split('\n').pop() ?? '').slice(0, 300) || run.error?.message || `exit ${run.status}`;
    throw new ReportError(`kubectl ${args.join(' ')} failed: ${detail}\n(no cluster reachable? check --context and your kubeconfig, or pass --from FILE)`);
  }
  return itemsOf(run.stdout, `kubectl ${args.join(' ')}`);
}

/** The items of a `kubectl get -o json` List, or of a plain JSON array of objects. */
function itemsOf(text: string, source: string): unknown[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ReportError(`${source}: not JSON (${(error as Error).message}); save it with \`kubectl get pods,events -o json\``);
  }
  if (Array.isArray(parsed)) return parsed;
  const items = (parsed as { items?: unknown })?.items;
  if (!Array.isArray(items)) throw new ReportError(`${source}: expected a Kubernetes List with "items", as \`kubectl get -o json\` prints it`);
  return items;
}

function renderTable(figures: readonly PoolPullFigures[], found: PullSamples): string {
  const header = ['pool', 'role', 'count', 'median', 'p90', 'min', 'max', 'speed-up'];
  const rows = figures.map((f) => [
    f.pool, f.role, String(f.count), formatSeconds(f.median), formatSeconds(f.p90), formatSeconds(f.min), formatSeconds(f.max),
    f.speedUp === undefined ? '-' : `${f.speedUp.toFixed(2)}x`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  const skipped = found.skipped.length === 0 ? '' :
    `\nskipped ${found.skipped.length} pod(s):\n${found.skipped.map((s) => `  ${s.pod}: ${s.reason}`).join('\n')}\n`;
  return `${[line(header), ...rows.map(line)].join('\n')}\n${skipped}`;
}

function renderJson(figures: readonly PoolPullFigures[], found: PullSamples): string {
  return `${JSON.stringify({ pools: figures, samples: found.samples, skipped: found.skipped }, null, 2)}\n`;
}
