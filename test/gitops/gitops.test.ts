/**
 * dist/gitops/: the Argo CD ApplicationSets and Flux objects, checked against the Argo CD and
 * Flux CRD schemas (test/gitops/schemas, copied from the pinned upstream CRDs), against the
 * files they point at, and the cluster folders they deliver rendered by the real kubectl kustomize.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { parseAllDocuments } from 'yaml';
import { loadClusters } from '../../lib/clusters';
import { ConfigError } from '../../lib/errors';
import { chartClusters, renderGitOpsFiles, resolveGitOpsSource } from '../../lib/gitops';
import { CHART_NAME } from '../../lib/helm';
import { evaluateCelRules } from '../../lib/validation/cel-rules';
import { karpenterAjvSchema } from '../../lib/validation/schemas';
import { CLUSTERS_DIR, GITOPS_SOURCE, readDist } from '../../main';
import { synthToDist } from '../../lib/output';
import { checkOutput, OUTPUTS } from '../../scripts/check-dist';
import { k8sBinaries } from '../support/k8s-binaries';

const ROOT = path.resolve(__dirname, '../..');
const DIST = path.join(ROOT, 'dist');
const GITOPS = path.join(DIST, 'gitops');

interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string };
  readonly spec: any;
}

/** Each kind this project writes to dist/gitops/, and its upstream CRD schema. */
const SCHEMA_FILES: Record<string, string> = {
  'argoproj.io/v1alpha1/ApplicationSet': 'applicationset.argoproj.io_v1alpha1.json',
  'kustomize.toolkit.fluxcd.io/v1/Kustomization': 'kustomization.kustomize.toolkit.fluxcd.io_v1.json',
  'helm.toolkit.fluxcd.io/v2/HelmRelease': 'helmrelease.helm.toolkit.fluxcd.io_v2.json',
  'source.toolkit.fluxcd.io/v1/GitRepository': 'gitrepository.source.toolkit.fluxcd.io_v1.json',
};

// As lib/validation/schema-validator.ts: CRD schemas carry Kubernetes extensions strict mode rejects.
const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv, ['int32', 'int64', 'date-time', 'byte']);
const schemas = new Map<string, { schema: Record<string, unknown>; validate: ValidateFunction }>(
  Object.entries(SCHEMA_FILES).map(([key, file]) => {
    // Unknown fields are refused, as `kubectl apply` does by default (strict field validation).
    const schema = karpenterAjvSchema(JSON.parse(fs.readFileSync(path.join(__dirname, 'schemas', file), 'utf8')));
    return [key, { schema, validate: ajv.compile(schema) }];
  }),
);

/** Schema and CEL problems of one object, as "<path> <message>" lines. */
function problemsOf(object: KubeObject): string[] {
  const entry = schemas.get(`${object.apiVersion}/${object.kind}`);
  if (!entry) return [`no schema for ${object.apiVersion} ${object.kind}`];
  const problems = entry.validate(object) ? [] : (entry.validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`);
  for (const v of evaluateCelRules(entry.schema, object).violations) problems.push(`${v.jsonPath || '/'} ${v.message}`);
  return problems;
}

function readObjects(file: string): KubeObject[] {
  return parseAllDocuments(fs.readFileSync(file, 'utf8')).map((doc) => doc.toJS() as KubeObject);
}

function listFiles(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter((e) => e.isFile() && e.name.endsWith('.yaml'))
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

const specs = loadClusters(CLUSTERS_DIR);
const clusters = specs.map((c) => c.name).sort();
const helmClusters = chartClusters(specs).sort();
const gitopsFiles = listFiles(GITOPS);
const objectsByFile = new Map(gitopsFiles.map((file) => [file, readObjects(path.join(GITOPS, file))]));
const allObjects = [...objectsByFile.values()].flat();

describe('dist/gitops/', () => {
  test('holds two Argo CD ApplicationSets and, per cluster, a Flux Kustomization and a HelmRelease', () => {
    expect(gitopsFiles).toEqual(
      [
        'argocd/applicationset-folders.yaml',
        'argocd/applicationset-helm.yaml',
        ...helmClusters.map((c) => `flux-helm/${c}/karpenter-soci.yaml`),
        ...clusters.map((c) => `flux/${c}/karpenter-soci.yaml`),
      ].sort(),
    );
    expect(clusters.length).toBeGreaterThanOrEqual(3);
  });

  test('the Helm variants cover exactly the clusters the chart has a values file for', () => {
    const valuesFiles = fs.readdirSync(path.join(DIST, 'helm', 'values')).map((f) => path.basename(f, '.yaml')).sort();
    expect(helmClusters).toEqual(valuesFiles);
    expect(helmClusters.length).toBeGreaterThan(0);
    const [helm] = objectsByFile.get('argocd/applicationset-helm.yaml')!;
    expect(helm!.spec.generators).toEqual([{ list: { elements: helmClusters.map((cluster) => ({ cluster })) } }]);
    // A cluster file the chart cannot express is delivered from its plain folder only.
    for (const cluster of clusters.filter((c) => !helmClusters.includes(c))) {
      expect(gitopsFiles).toContain(`flux/${cluster}/karpenter-soci.yaml`);
      expect(gitopsFiles).not.toContain(`flux-helm/${cluster}/karpenter-soci.yaml`);
    }
    expect(() => renderGitOpsFiles(['a'], { source: GITOPS_SOURCE, helmClusters: ['b'] })).toThrow(/helmClusters "b" is invalid: one of the clusters: a/);
    expect([...renderGitOpsFiles(['a'], { source: GITOPS_SOURCE, helmClusters: [] }).keys()]).toEqual(['argocd/applicationset-folders.yaml', 'flux/a/karpenter-soci.yaml']);
  });

  test('every object passes its Argo CD or Flux CRD schema (and CEL rules)', () => {
    const problems = allObjects.flatMap((o) => problemsOf(o).map((p) => `${o.kind}/${o.metadata.name}: ${p}`));
    expect(problems).toEqual([]);
    expect(new Set(allObjects.map((o) => o.kind))).toEqual(new Set(['ApplicationSet', 'GitRepository', 'Kustomization', 'HelmRelease']));
  });

  test('the schemas refuse what the API server would: an unknown field, a wrong type, a missing required field, chart and chartRef together', () => {
    // GIVEN valid objects from dist/gitops/
    const appSet = allObjects.find((o) => o.kind === 'ApplicationSet')!;
    const kustomization = allObjects.find((o) => o.kind === 'Kustomization')!;
    const release = allObjects.find((o) => o.kind === 'HelmRelease')!;
    const repository = allObjects.find((o) => o.kind === 'GitRepository')!;
    const withSpec = (o: KubeObject, spec: object): KubeObject => ({ ...o, spec: { ...o.spec, ...spec } });
    // WHEN one field is broken in each THEN the schema names it
    expect(problemsOf(withSpec(appSet, { template: { ...appSet.spec.template, spec: { ...appSet.spec.template.spec, sourse: {} } } })).join('\n')).toMatch(/\/spec\/template\/spec must NOT have additional properties.*sourse/);
    expect(problemsOf(withSpec(kustomization, { prune: 'yes' })).join('\n')).toMatch(/\/spec\/prune must be boolean/);
    const { sourceRef: _dropped, ...noSource } = kustomization.spec;
    expect(problemsOf({ ...kustomization, spec: noSource }).join('\n')).toMatch(/must have required property 'sourceRef'/);
    expect(problemsOf(withSpec(release, { chartRef: { kind: 'HelmChart', name: 'x' } })).join('\n')).toMatch(/either chart or chartRef must be set/);
    expect(problemsOf(withSpec(release, { releaseName: 'r'.repeat(54) })).join('\n')).toMatch(/\/spec\/releaseName must NOT have more than 53 characters/);
    expect(problemsOf(withSpec(repository, { url: 'git@github.com:acme/platform.git' })).join('\n')).toMatch(/\/spec\/url must match pattern/);
  });

  test('each ApplicationSet lists every cluster once, and each Application points at files synth wrote', () => {
    const [folders] = objectsByFile.get('argocd/applicationset-folders.yaml')!;
    const [helm] = objectsByFile.get('argocd/applicationset-helm.yaml')!;
    expect(folders!.spec.generators).toEqual([{ list: { elements: clusters.map((cluster) => ({ cluster })) } }]);
    for (const appSet of [folders!, helm!]) expect(appSet.spec.template.spec.source.repoURL).toBe(GITOPS_SOURCE.repoURL);
    // Go templates as Argo CD renders them for one list element.
    const render = (text: string, cluster: string) => text.replaceAll('{{.cluster}}', cluster);
    for (const cluster of clusters) {
      expect(render(folders!.spec.template.spec.destination.name, cluster)).toBe(cluster);
      expect(fs.existsSync(path.join(ROOT, render(folders!.spec.template.spec.source.path, cluster), 'kustomization.yaml'))).toBe(true);
    }
    for (const cluster of helmClusters) {
      const chartDir = path.join(ROOT, helm!.spec.template.spec.source.path);
      expect(fs.existsSync(path.join(chartDir, 'Chart.yaml'))).toBe(true);
      for (const valueFile of helm!.spec.template.spec.source.helm.valueFiles as string[]) {
        expect(fs.existsSync(path.resolve(chartDir, render(valueFile, cluster)))).toBe(true);
      }
    }
  });

  test("each cluster's Flux objects read this repository and point at that cluster's folder, chart and values", () => {
    for (const cluster of clusters) {
      const [repository, kustomization] = objectsByFile.get(`flux/${cluster}/karpenter-soci.yaml`)!;
      expect(repository!.spec.url).toBe(GITOPS_SOURCE.repoURL);
      expect(kustomization!.spec.sourceRef).toEqual({ kind: 'GitRepository', name: repository!.metadata.name });
      expect(fs.existsSync(path.join(ROOT, kustomization!.spec.path, 'kustomization.yaml'))).toBe(true);
    }
    for (const cluster of helmClusters) {
      const [repository, release] = objectsByFile.get(`flux-helm/${cluster}/karpenter-soci.yaml`)!;
      const chart = release!.spec.chart.spec;
      expect(chart.sourceRef).toEqual({ kind: 'GitRepository', name: repository!.metadata.name });
      expect(fs.existsSync(path.join(ROOT, chart.chart, 'Chart.yaml'))).toBe(true);
      expect(chart.valuesFiles).toEqual([`./dist/helm/${CHART_NAME}/values.yaml`, `./dist/helm/values/${cluster}.yaml`]);
      for (const file of chart.valuesFiles as string[]) expect(fs.existsSync(path.join(ROOT, file))).toBe(true);
    }
  });

  test('is the same for any cluster order, and refuses a source Flux could not read or that has no TLS', () => {
    const options = { source: GITOPS_SOURCE };
    expect(renderGitOpsFiles([...clusters].reverse(), options)).toEqual(renderGitOpsFiles(clusters, options));
    for (const repoURL of ['http://git.example.com/platform.git', 'git@github.com:acme/platform.git', 'https://']) {
      expect(() => resolveGitOpsSource({ repoURL })).toThrow(ConfigError);
    }
    expect(() => resolveGitOpsSource({ repoURL: 'http://git.example.com/p.git' })).toThrow(/GitOpsSource: repoURL "http:\/\/git.example.com\/p.git" is invalid: an https:\/\/ or ssh:\/\/ clone URL/);
    expect(() => resolveGitOpsSource({ repoURL: GITOPS_SOURCE.repoURL, distPath: '../dist' })).toThrow(/distPath "..\/dist" is invalid/);
    expect(() => resolveGitOpsSource({ repoURL: GITOPS_SOURCE.repoURL, branch: 'main branch' })).toThrow(/branch "main branch" is invalid/);
  });
});

describe('npm run check', () => {
  test('reports dist/ stale when a cluster file was added without a synth, naming the files', () => {
    // GIVEN dist/gitops/ synthesized before the last cluster file existed
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'gitops-check-'));
    try {
      const added = helmClusters[0]!;
      const before = path.join(work, 'clusters');
      fs.mkdirSync(before);
      for (const file of fs.readdirSync(CLUSTERS_DIR).filter((f) => f !== `${added}.yaml`)) fs.copyFileSync(path.join(CLUSTERS_DIR, file), path.join(before, file));
      const output = OUTPUTS.find((o) => o.dir === 'dist')!;
      const dist = readDist(before);
      const outdir = path.join(work, output.dir);
      synthToDist(dist.app, { outdir, cdk8sOutdir: outdir, check: () => undefined, extraFiles: () => dist.extraFiles() });

      // WHEN the check compares it with what clusters/ gives now
      const check = checkOutput(output, work);

      // THEN it is stale, and the report names the new cluster's files and the changed ApplicationSets
      expect(check.current).toBe(false);
      expect(check.report).toContain(`gitops/flux/${added}/karpenter-soci.yaml`);
      expect(check.report).toContain(`gitops/flux-helm/${added}/karpenter-soci.yaml`);
      expect(check.report).toContain('gitops/argocd/applicationset-folders.yaml');
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  });
});

describe('the cluster folders Argo CD and Flux deliver', () => {
  test.each(clusters)('kubectl kustomize dist/%s gives exactly the objects of its files', (cluster) => {
    // GIVEN the folder an Application or a Flux Kustomization points at
    const dir = path.join(DIST, cluster);
    // WHEN the real kubectl renders it, as Argo CD and kustomize-controller do
    const rendered = execFileSync(k8sBinaries().kubectl, ['kustomize', dir], { encoding: 'utf8' });
    // THEN it holds every object of the folder, unchanged, and nothing else
    const key = (o: KubeObject) => `${o.kind}/${o.metadata.name}`;
    const fromKubectl = parseAllDocuments(rendered).map((d) => d.toJS() as KubeObject).sort((a, b) => key(a).localeCompare(key(b)));
    const fromFiles = listFiles(dir)
      .filter((f) => f !== 'kustomization.yaml')
      .flatMap((f) => readObjects(path.join(dir, f)))
      .sort((a, b) => key(a).localeCompare(key(b)));
    expect(fromKubectl.length).toBeGreaterThan(0);
    expect(fromKubectl).toEqual(fromFiles);
  });
});
