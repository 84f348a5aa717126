import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Resvg } from '@resvg/resvg-js';
import {
  BenchmarkRole, collectPullSamples, formatSeconds, parseGoDuration, parsePulledMessage, percentile, renderPullReportSvg, runPullReport, summarizePulls,
} from '../../lib/benchmark';
import { k8sBinaries } from '../support/k8s-binaries';
import { PYTHON } from '../support/python';

const ROOT = path.join(__dirname, '..', '..');
const FIXTURE = path.join(__dirname, 'fixtures', 'pods-and-events.json');
const IMAGE = `public.ecr.aws/example/ml-inference@sha256:${'ab'.repeat(32)}`;
const fixtureItems = () => JSON.parse(fs.readFileSync(FIXTURE, 'utf8')).items as unknown[];

describe('Go durations', () => {
  test.each([
    ['39.6s', 39.6], ['2m10.8s', 130.8], ['850ms', 0.85], ['1h0m2s', 3602], ['1.5µs', 1.5e-6], ['250us', 2.5e-4], ['12ns', 1.2e-8], ['45s', 45],
  ])('GIVEN %s THEN %d seconds', (text, seconds) => {
    expect(parseGoDuration(text)).toBeCloseTo(seconds, 12);
  });

  test.each(['', 'soon', '10', '1.5 s', '2m10.8', 's', '-1s', '1d'])('GIVEN %j THEN it is not a duration', (text) => {
    expect(parseGoDuration(text)).toBeUndefined();
  });
});

describe('Pulled event messages', () => {
  test('GIVEN the kubelet format before 1.28 THEN the duration is read', () => {
    expect(parsePulledMessage(`Successfully pulled image "${IMAGE}" in 2m10.8s`)).toEqual({ seconds: 130.8 });
  });

  test('GIVEN the format with "including waiting" THEN both durations are read', () => {
    expect(parsePulledMessage(`Successfully pulled image "${IMAGE}" in 39.6s (41.5s including waiting)`)).toEqual({ seconds: 39.6, includingWaitingSeconds: 41.5 });
  });

  test('GIVEN the format with the image size THEN both durations are read', () => {
    expect(parsePulledMessage('Successfully pulled image "nginx" in 850ms (1.2s including waiting). Image size: 70000000 bytes.'))
      .toEqual({ seconds: 0.85, includingWaitingSeconds: 1.2 });
  });

  test('GIVEN an image that was already present THEN there is no pull time, and the reason says why', () => {
    expect(parsePulledMessage('Container image "nginx" already present on machine')).toEqual({ reason: 'image already present on the node (no pull happened)' });
  });

  test.each([
    'Successfully pulled image "nginx" in soon',
    'Successfully pulled image "nginx"',
    'pulled nginx in 3s',
    `Successfully pulled image "nginx" in 3s (${'9'.repeat(200)}s including waiting`,
  ])('GIVEN the malformed message %j THEN it is refused, not guessed', (message) => {
    const parsed = parsePulledMessage(message);
    expect(parsed).toEqual({ reason: expect.stringMatching(/^unrecognised Pulled message: "/) });
    expect((parsed as { reason: string }).reason.length).toBeLessThan(140);
  });
});

describe('collectPullSamples over the saved pods and events', () => {
  const found = collectPullSamples(fixtureItems());

  test('THEN each benchmark pod with a pull gives one sample, by pool and role', () => {
    const count = (pool: string) => found.samples.filter((s) => s.pool === pool).length;
    expect([count('soci-native'), count('soci-bottlerocket'), count('baseline')]).toEqual([5, 3, 4]);
    expect(found.samples.every((s) => (s.pool === 'baseline') === (s.role === BenchmarkRole.BASELINE))).toBe(true);
  });

  test('THEN pods without a usable event are skipped and counted with their reason', () => {
    expect(found.skipped).toEqual([
      { pod: 'bench-baseline-5-nopul', reason: 'no Pulled event (expired, or the pull has not finished)' },
      { pod: 'bench-soci-native-6-warm1', reason: 'image already present on the node (no pull happened)' },
      { pod: 'bench-soci-native-7-garb1', reason: expect.stringMatching(/^unrecognised Pulled message: .* in soon \(143 characters\)"$/) },
    ]);
  });

  test('THEN an event of an earlier pod of the same name (another uid) and pods of other apps are ignored', () => {
    expect(found.samples.find((s) => s.pod === 'bench-soci-bottlerocket-1-b0q7w')?.seconds).toBe(23.2);
    expect(found.samples.map((s) => s.pod)).not.toContain('web-7d9f');
  });

  test('GIVEN no objects, or objects that are not Kubernetes objects THEN nothing is found', () => {
    expect(collectPullSamples([null, 3, 'x', {}])).toEqual({ samples: [], skipped: [] });
  });
});

describe('pull figures', () => {
  test('GIVEN the saved benchmark THEN the figures equal the hand-computed ones', () => {
    // soci-native: 38.1 39.6 40.3 41.2 45 → median 40.3; p90 at rank 3.6 = 41.2 + 0.6 × 3.8 = 43.48
    // soci-bottlerocket: 22.9 23.2 24.1 → median 23.2; p90 at rank 1.8 = 23.2 + 0.8 × 0.9 = 23.92
    // baseline: 125.5 130.8 131 140.2 → median (130.8 + 131) / 2 = 130.9; p90 at rank 2.7 = 131 + 0.7 × 9.2 = 137.44
    const figures = summarizePulls(collectPullSamples(fixtureItems()).samples);
    const rounded = figures.map((f) => ({ ...f, p90: round(f.p90), median: round(f.median), speedUp: f.speedUp && round(f.speedUp) }));
    expect(rounded).toEqual([
      { pool: 'soci-bottlerocket', role: 'soci', count: 3, median: 23.2, p90: 23.92, min: 22.9, max: 24.1, speedUp: round(130.9 / 23.2) },
      { pool: 'soci-native', role: 'soci', count: 5, median: 40.3, p90: 43.48, min: 38.1, max: 45, speedUp: round(130.9 / 40.3) },
      { pool: 'baseline', role: 'baseline', count: 4, median: 130.9, p90: 137.44, min: 125.5, max: 140.2, speedUp: 1 },
    ]);
  });

  test('GIVEN no baseline THEN there is no speed-up', () => {
    const figures = summarizePulls([{ pod: 'a', pool: 'soci', role: BenchmarkRole.SOCI, seconds: 3 }]);
    expect(figures).toEqual([{ pool: 'soci', role: 'soci', count: 1, median: 3, p90: 3, min: 3, max: 3, speedUp: undefined }]);
  });

  test('GIVEN one value, two values or none THEN percentiles interpolate or refuse', () => {
    expect(percentile([7], 90)).toBe(7);
    expect(percentile([10, 20], 50)).toBe(15);
    expect(percentile([10, 20], 90)).toBe(19);
    expect(() => percentile([], 50)).toThrow(RangeError);
  });

  test.each([[0.85, '850ms'], [39.6, '39.6s'], [130.8, '2m10.8s'], [60, '1m0.0s']])('GIVEN %d seconds THEN they read %s', (seconds, text) => {
    expect(formatSeconds(seconds)).toBe(text);
  });
});

describe('npm run pull-report', () => {
  let dir: string;
  beforeAll(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pull-report-')); });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('GIVEN a saved file WHEN run THEN it prints a table per pool and lists the skipped pods', () => {
    const result = runPullReport(['--from', FIXTURE]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout.split('\n').slice(0, 4)).toEqual([
      'pool               role      count  median   p90      min     max      speed-up',
      'soci-bottlerocket  soci      3      23.2s    23.9s    22.9s   24.1s    5.64x',
      'soci-native        soci      5      40.3s    43.5s    38.1s   45.0s    3.25x',
      'baseline           baseline  4      2m10.9s  2m17.4s  2m5.5s  2m20.2s  1.00x',
    ]);
    expect(result.stdout).toContain('skipped 3 pod(s):');
  });

  test('GIVEN --json THEN the figures, samples and skipped pods are JSON', () => {
    const report = JSON.parse(runPullReport(['--from', FIXTURE, '--json']).stdout);
    expect(report.pools.map((p: { pool: string }) => p.pool)).toEqual(['soci-bottlerocket', 'soci-native', 'baseline']);
    expect(report.samples).toHaveLength(12);
    expect(report.skipped).toHaveLength(3);
  });

  test('GIVEN --svg THEN a well-formed SVG chart with a bar per pool is written, and it renders', () => {
    const svgFile = path.join(dir, 'pulls.svg');
    expect(runPullReport(['--from', FIXTURE, '--svg', svgFile]).exitCode).toBe(0);
    const svg = fs.readFileSync(svgFile, 'utf8');

    // A real XML parser: the bars are the filled rects after the background.
    const bars = spawnSync(PYTHON, ['-c', `
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
ns = '{http://www.w3.org/2000/svg}'
print([(r.get('fill'), float(r.get('width'))) for r in root.iter(ns + 'rect')][1:])
print([t.text for t in root.iter(ns + 'text') if t.get('font-weight') == 'bold'])
`, svgFile], { encoding: 'utf8' }).stdout.trim().split('\n');
    expect(bars[0]).toBe("[('#1f77b4', 44.1), ('#1f77b4', 76.6), ('#8c8c8c', 248.7)]");
    expect(bars[1]).toBe("['Image pull time per pool (median; line: min–max; tick: p90)', 'soci-bottlerocket', 'soci-native', 'baseline']");

    const png = new Resvg(svg, { font: { loadSystemFonts: true } }).render();
    expect([png.width, png.height]).toEqual([860, 232]);
    const pixels = png.pixels;
    let blue = 0;
    for (let i = 0; i < pixels.length; i += 4) if (pixels[i] === 0x1f && pixels[i + 1] === 0x77 && pixels[i + 2] === 0xb4) blue++;
    expect(blue).toBeGreaterThan(2 * 40 * 20); // two SOCI bars of at least 40 × 20 pixels
  });

  test('GIVEN no figures THEN the chart says so instead of drawing empty axes', () => {
    expect(renderPullReportSvg([])).toContain('>no pull times</text>');
  });

  test('GIVEN a file with events but no benchmark pods THEN it exits 1 and says what to check', () => {
    const file = path.join(dir, 'empty.json');
    fs.writeFileSync(file, JSON.stringify({ kind: 'List', items: [] }));
    const result = runPullReport(['--from', file]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/no benchmark pod with a pull time was found/);
  });

  test.each([
    [['--from', '/nonexistent/file.json'], 1, /--from: cannot read \/nonexistent\/file.json: ENOENT/],
    [['--from', __filename], 1, /not JSON/],
    [['--from', FIXTURE, '--namespace', 'x'], 2, /--from: reads a saved file; --namespace and --context apply only when reading from a cluster/],
    [['--nmespace', 'x'], 2, /--nmespace: unknown flag/],
  ])('GIVEN %j THEN exit %d with a clear message', (argv, code, message) => {
    const result = runPullReport(argv as string[]);
    expect(result.exitCode).toBe(code);
    expect(result.stderr).toMatch(message);
  });

  test('GIVEN no kubectl on PATH WHEN the script runs THEN it says so in one line and exits 1', () => {
    const run = spawnSync(process.execPath, ['--require', 'tsx/cjs', 'scripts/pull-report.ts', '--namespace', 'pull-benchmark'], {
      cwd: ROOT, encoding: 'utf8', env: { ...process.env, PATH: dir },
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toBe('pull-report: kubectl is not on PATH; install kubectl, or pass --from FILE saved with `kubectl get pods,events -o json > FILE`\n');
  });

  test('GIVEN a real kubectl and no reachable cluster WHEN the script runs THEN it says so in one message and exits 1', () => {
    // GIVEN kubectl 1.35 on PATH and a kubeconfig whose API server refuses connections
    const bin = path.join(dir, 'bin');
    fs.mkdirSync(bin, { recursive: true });
    fs.symlinkSync(k8sBinaries().kubectl, path.join(bin, 'kubectl'));
    const kubeconfig = path.join(dir, 'kubeconfig');
    fs.writeFileSync(kubeconfig, [
      'apiVersion: v1', 'kind: Config', 'current-context: lab',
      'clusters: [{name: lab, cluster: {server: "https://127.0.0.1:1"}}]',
      'contexts: [{name: lab, context: {cluster: lab, user: lab}}]',
      'users: [{name: lab, user: {token: not-a-secret}}]', '',
    ].join('\n'));
    // WHEN
    const run = spawnSync(process.execPath, ['--require', 'tsx/cjs', 'scripts/pull-report.ts', '--namespace', 'pull-benchmark'], {
      cwd: ROOT, encoding: 'utf8', env: { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH}`, KUBECONFIG: kubeconfig },
    });
    // THEN
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^pull-report: kubectl --namespace pull-benchmark get pods --selector app.kubernetes.io\/name=image-pull-benchmark --output json failed: .*(refused|127\.0\.0\.1:1)/);
    expect(run.stderr).toContain('(no cluster reachable? check --context and your kubeconfig, or pass --from FILE)');
    expect(run.stderr).not.toContain('not-a-secret');
  });

  test('GIVEN --help THEN usage is printed and nothing else happens', () => {
    const result = runPullReport(['--help']);
    expect(result).toEqual({ stdout: expect.stringMatching(/^usage: npm run -s pull-report -- /), stderr: '', exitCode: 0 });
  });
});

function round(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}
