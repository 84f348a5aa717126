import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { buildClustersApp, ClusterSpec, loadClusters } from '../../lib/clusters';
import { CHART_NAME, clusterValues, synthHelm } from '../../lib/helm';
import { escapeBraces, TemplateBuilder } from '../../lib/helm/template-text';
import { deriveUserDataTemplate } from '../../lib/helm/user-data-template';
import { OUTPUT_MARKER, synthesizeCharts } from '../../lib/output';
import { validateManifests } from '../../lib/validation';
import { CLUSTERS_DIR, DEFAULT_CLUSTER } from '../../main';
import { k8sBinaries } from '../support/k8s-binaries';

const ROOT = path.resolve(__dirname, '../..');
const VERSION = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const run = promisify(execFile);

interface Result {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function helm(cwd: string, ...args: string[]): Promise<Result> {
  try {
    const { stdout, stderr } = await run(k8sBinaries().helm, args, { cwd, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, HELM_CACHE_HOME: path.join(cwd, '.helm') } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout, stderr: e.stderr };
  }
}

/** Objects in a stable order, for comparing sets of objects. */
function byKindAndName(objects: readonly unknown[]): unknown[] {
  const key = (o: any) => `${o.kind}/${o.metadata.name}`;
  return [...objects].sort((a, b) => key(a).localeCompare(key(b)));
}

function objectsOf(yamlText: string): unknown[] {
  return byKindAndName(parseAllDocuments(yamlText).map((d) => d.toJS()).filter((o) => o !== null));
}

let work: string;
let chartDir: string;
let clusters: ClusterSpec[];
let synthesized: Map<string, unknown[]>;
const results: Record<string, Result> = {};

beforeAll(async () => {
  // GIVEN the chart, rendered afresh, and the objects the plain synth gives for every cluster
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'helm-chart-'));
  clusters = loadClusters(CLUSTERS_DIR);
  synthHelm({ clusters, defaultCluster: DEFAULT_CLUSTER, version: VERSION, outdir: path.join(work, 'helm') });
  chartDir = path.join(work, 'helm', CHART_NAME);
  synthesized = new Map(synthesizeCharts(buildClustersApp(clusters)).map((chart) => [chart.chartId, byKindAndName(chart.manifests)]));

  const badValues = parse(fs.readFileSync(path.join(chartDir, 'values.yaml'), 'utf8'));
  badValues.nodePools[0].weight = 'heavy';
  badValues.nodeClasses[0].bootstrap.tuning = { maxConcurrentUnpacks: 0 };
  badValues.nodeClasses[0].amiFamily = 'AL2023';
  badValues.nodeClasses.push(
    { name: 'both-identities', role: 'r', instanceProfile: 'p', bootstrap: { strategy: 'native' } },
    { name: 'bottlerocket-without-alias', bootstrap: { strategy: 'bottlerocket' } },
    { name: 'native-on-bottlerocket', amiAlias: 'bottlerocket@v1.50.0', bootstrap: { strategy: 'native' } },
    { name: 'bottlerocket-unbounded', amiAlias: 'bottlerocket@v1.50.0', bootstrap: { strategy: 'bottlerocket', tuning: { maxConcurrentUnpacksPerImage: -1 } } },
  );
  const defaults = parse(fs.readFileSync(path.join(chartDir, 'values.yaml'), 'utf8'));
  fs.writeFileSync(path.join(work, 'duplicate.yaml'), stringify({ ...defaults, nodeClasses: [defaults.nodeClasses[0], defaults.nodeClasses[0]] }));
  fs.writeFileSync(path.join(work, 'dangling.yaml'), stringify({ ...defaults, nodePools: [{ name: 'pool', nodeClass: 'missing' }] }));
  fs.writeFileSync(path.join(work, 'bad-values.yaml'), stringify(badValues));

  const braces = new TemplateBuilder();
  fs.mkdirSync(path.join(work, 'braces', 'templates'), { recursive: true });
  fs.writeFileSync(path.join(work, 'braces', 'Chart.yaml'), 'apiVersion: v2\nname: braces\nversion: 0.0.1\n');
  fs.writeFileSync(path.join(work, 'braces', 'templates', 'cm.yaml'), braces.render({
    apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: braces.token({ kind: 'value', expr: '"braces"' }) },
    data: { text: 'a {{ .Values.x }} b }}{{ c', script: braces.token({ kind: 'block', chomp: '', lines: [escapeBraces('echo "${x}}" {{'), `{{ if true }}${escapeBraces('kept}}')}{{ end }}`] }) },
  }));

  // WHEN Helm lints, renders each cluster's values, refuses bad values and packages the chart (all at once)
  const others = chartServed(clusters).filter((c) => c.name !== DEFAULT_CLUSTER);
  const runs: Array<[string, Promise<Result>]> = [
    ['lint', helm(work, 'lint', '--strict', chartDir)],
    ['default', helm(work, 'template', 'release', chartDir)],
    ...others.map((c): [string, Promise<Result>] => [c.name, helm(work, 'template', 'release', chartDir, '-f', path.join(work, 'helm', 'values', `${c.name}.yaml`))]),
    ['bad', helm(work, 'template', 'release', chartDir, '-f', path.join(work, 'bad-values.yaml'))],
    ['duplicate', helm(work, 'template', 'release', chartDir, '-f', path.join(work, 'duplicate.yaml'))],
    ['dangling', helm(work, 'template', 'release', chartDir, '-f', path.join(work, 'dangling.yaml'))],
    ['package', helm(work, 'package', chartDir, '-d', path.join(work, 'packaged'))],
    ['braces', helm(work, 'template', 'release', path.join(work, 'braces'))],
  ];
  for (const [name, result] of runs) results[name] = await result;
}, 120_000);

afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

/** The clusters the chart serves: those it wrote a values file for (the default cluster's are the chart's defaults). */
function chartServed(all: readonly ClusterSpec[]): ClusterSpec[] {
  return all.filter((c) => c.name === DEFAULT_CLUSTER || fs.existsSync(path.join(work, 'helm', 'values', `${c.name}.yaml`)));
}

describe('the Helm chart (real Helm 4)', () => {
  test('has Chart.yaml apiVersion v2 with the package version, values, a values schema, templates and a README; no CRDs and no construct metadata', () => {
    const chart = parse(fs.readFileSync(path.join(chartDir, 'Chart.yaml'), 'utf8'));
    expect(chart).toMatchObject({ apiVersion: 'v2', name: 'karpenter-soci', version: VERSION });
    const files = fs.readdirSync(chartDir, { recursive: true }).map(String).sort();
    expect(files).toEqual(['Chart.yaml', 'README.md', 'templates', 'templates/ec2nodeclasses.yaml', 'templates/nodepools.yaml', 'values.schema.json', 'values.yaml']);
    expect(parse(fs.readFileSync(path.join(chartDir, 'values.yaml'), 'utf8'))).toEqual(clusterValues(clusters.find((c) => c.name === DEFAULT_CLUSTER)!));
    const readme = fs.readFileSync(path.join(chartDir, 'README.md'), 'utf8');
    expect(readme).toContain('| `nodeClasses[].bootstrap.tuning.maxConcurrentDownloadsPerImage` | integer |');
    expect(readme).toContain('| `nodePools[].weight` | integer |');
  });

  test('passes helm lint --strict', () => {
    expect(results.lint.stderr).toBe('');
    expect(results.lint.code).toBe(0);
    expect(results.lint.stdout).toContain('1 chart(s) linted, 0 chart(s) failed');
  });

  test('with its default values, renders exactly the objects of dist/my-cluster/', () => {
    expect(results.default.code).toBe(0);
    expect(objectsOf(results.default.stdout)).toEqual(synthesized.get(DEFAULT_CLUSTER));
    const committed = fs.readdirSync(path.join(ROOT, 'dist', DEFAULT_CLUSTER)).filter((f) => f !== 'kustomization.yaml')
      .map((f) => parse(fs.readFileSync(path.join(ROOT, 'dist', DEFAULT_CLUSTER, f), 'utf8')));
    expect(objectsOf(results.default.stdout)).toEqual(byKindAndName(committed));
  });

  test('with each other cluster\'s values file, renders that cluster\'s objects, which pass validation (schema, CEL, guards, user data)', () => {
    const others = chartServed(clusters).filter((c) => c.name !== DEFAULT_CLUSTER);
    expect(others.map((c) => c.name)).toEqual(['edge-bottlerocket', 'legacy-manual']);
    // pull-lab runs the image-pull benchmark, which the chart does not template: its plain folder serves it.
    expect(fs.existsSync(path.join(work, 'helm', 'values', 'pull-lab.yaml'))).toBe(false);
    for (const cluster of others) {
      const result = results[cluster.name];
      expect(result.code).toBe(0);
      const objects = objectsOf(result.stdout);
      expect(objects).toEqual(synthesized.get(cluster.name));
      const report = validateManifests(objects as object[]);
      expect(report.errors).toEqual([]);
      expect(report.celRulesEvaluated).toBeGreaterThan(0);
    }
  });

  test('refuses values of the wrong type, out of range, unknown, both role and instance profile, an alias of another family, or -1 where the strategy refuses it, through values.schema.json', () => {
    expect(results.bad.code).not.toBe(0);
    expect(results.bad.stderr).toContain('values don\'t meet the specifications of the schema');
    expect(results.bad.stderr).toContain('/nodePools/0/weight\': got string, want integer');
    expect(results.bad.stderr).toContain('/nodeClasses/0/bootstrap/tuning/maxConcurrentUnpacks');
    expect(results.bad.stderr).toMatch(/\/nodeClasses\/0'.*additional properties 'amiFamily' not allowed/);
    expect(results.bad.stderr).toContain('at \'/nodeClasses/1\': \'not\' failed');
    expect(results.bad.stderr).toContain('at \'/nodeClasses/2\': missing property \'amiAlias\'');
    expect(results.bad.stderr).toContain('at \'/nodeClasses/3/amiAlias\': \'bottlerocket@v1.50.0\' does not match pattern \'^al2023@\'');
    expect(results.bad.stderr).toContain('/nodeClasses/4/bootstrap/tuning/maxConcurrentUnpacksPerImage');
  });

  test('fails on what the schema cannot say: duplicate names, a pool whose node class is missing', () => {
    expect(results.duplicate.code).not.toBe(0);
    expect(results.duplicate.stderr).toContain('nodeClasses: two are named soci-snapshotter');
    expect(results.dangling.code).not.toBe(0);
    expect(results.dangling.stderr).toContain('nodePools: pool uses nodeClass missing, which is not in nodeClasses');
  });

  test('helm package produces a chart archive', () => {
    expect(results.package.code).toBe(0);
    expect(fs.existsSync(path.join(work, 'packaged', `karpenter-soci-${VERSION}.tgz`))).toBe(true);
  });

  test('literal {{ and }} in strings and blocks come out of Helm verbatim', () => {
    expect(results.braces.code).toBe(0);
    const [configMap] = objectsOf(results.braces.stdout) as any[];
    expect(configMap.metadata.name).toBe('braces');
    expect(configMap.data).toEqual({ text: 'a {{ .Values.x }} b }}{{ c', script: 'echo "${x}}" {{\nkept}}\n' });
  });

  test('the committed dist/helm/ is the chart npm run synth writes into dist/', () => {
    const tree = (dir: string) => Object.fromEntries(fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile())
      .map((e) => [path.relative(dir, path.join(e.parentPath, e.name)), fs.readFileSync(path.join(e.parentPath, e.name), 'utf8')]));
    const written = new Map(Object.entries(tree(path.join(work, 'helm'))));
    written.delete(OUTPUT_MARKER); // synthHelm's own folder is marked; in dist/ the marker is dist/'s
    expect(tree(path.join(ROOT, 'dist', 'helm'))).toEqual(Object.fromEntries(written));
  });
});

describe('a cluster the chart cannot serve', () => {
  test('gets no values file and a note naming the field, and the chart is still written', () => {
    // GIVEN a cluster whose manual install uses a mirror (not a chart value)
    const legacy = clusters.find((c) => c.name === 'legacy-manual')!;
    const mirrored: ClusterSpec = {
      ...legacy,
      nodeClasses: [{ ...legacy.nodeClasses[0], bootstrap: { ...legacy.nodeClasses[0].bootstrap!, mirrorBaseUrl: 'https://mirror.example.com/soci' } }],
    };
    const notes: string[] = [];
    const outdir = path.join(work, 'unsupported');

    // WHEN
    const written = synthHelm({ clusters: [clusters.find((c) => c.name === DEFAULT_CLUSTER)!, mirrored], defaultCluster: DEFAULT_CLUSTER, version: VERSION, outdir, warn: (l) => notes.push(l) });

    // THEN
    expect(written).toContain('values/my-cluster.yaml');
    expect(written).not.toContain('values/legacy-manual.yaml');
    expect(notes).toEqual([`NOTE [helm] legacy-manual gets no values file: ${path.relative('.', legacy.file)}: nodeClasses[0].bootstrap.mirrorBaseUrl: the Helm chart does not template this field; the cluster's plain dist/legacy-manual/ folder serves it`]);
  });
});

describe('the user-data template derivation', () => {
  test('refuses a user data in which leaving a count unset changes other lines', () => {
    // GIVEN a renderer whose output for an unset count differs beyond that count's line
    const render = (tuning?: Record<string, number>) => (tuning ? Object.entries(tuning).map(([k, v]) => `${k} = ${v}`).join('\n') + `\ncount = ${Object.keys(tuning).length}` : 'none');

    // WHEN / THEN
    expect(() => deriveUserDataTemplate('native', render)).toThrow(/leaving maxConcurrentDownloads unset changes more than its own line/);
  });

  test('templates a count line that goes away, and one that falls back to a default, and checks every combination', () => {
    // GIVEN a renderer with one optional line per count and a defaulted line for one of them
    const render = (tuning?: Record<string, number>) => [
      'head',
      ...(tuning ? [`limit = ${tuning.maxConcurrentDownloads ?? -1}`, ...Object.entries(tuning).filter(([k]) => k !== 'maxConcurrentDownloads').map(([k, v]) => `${k} = ${v}`)] : []),
      'tail',
    ].join('\n');

    // WHEN
    const template = deriveUserDataTemplate('native', render);

    // THEN
    expect(template.evaluate({ maxConcurrentUnpacks: 4 })).toBe('head\nlimit = -1\nmaxConcurrentUnpacks = 4\ntail');
    expect(template.toHelm('$t').join('\n')).toContain('limit = {{ if hasKey $t "maxConcurrentDownloads" }}{{ int64 (get $t "maxConcurrentDownloads") }}{{ else }}-1{{ end }}');
  });
});
