import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { formatFindings, validateClusters, validateManifests } from '../../lib/validation';
import { FAST_IMAGE_PULL_NODE_CONFIG, mime, nativeUserData, NODE_CONFIG_TYPE, setAt, validNodeClass, validNodePool } from './fixtures';

describe('cross-object checks', () => {
  test('GIVEN a NodePool whose nodeClassRef names a missing EC2NodeClass WHEN validated THEN an error lists the known ones', () => {
    const report = validateManifests([validNodeClass('a'), validNodePool('pool', 'b')]);
    const [error] = report.errors.filter((e) => e.rule === 'node-class-ref');
    expect(error).toMatchObject({ kind: 'NodePool', name: 'pool', jsonPath: '/spec/template/spec/nodeClassRef/name', value: 'b' });
    expect(error.message).toContain('EC2NodeClasses in the output: a.');
  });

  test('GIVEN a nodeClassRef of another kind WHEN validated THEN an error', () => {
    const nodePool = setAt(validNodePool(), '/spec/template/spec/nodeClassRef/kind', 'AKSNodeClass');
    expect(validateManifests([validNodeClass(), nodePool]).errors.map((e) => e.rule)).toEqual(['node-class-ref']);
  });

  test('GIVEN two EC2NodeClasses with one name WHEN validated THEN a duplicate-name error', () => {
    expect(validateManifests([validNodeClass(), validNodeClass(), validNodePool()]).errors.map((e) => e.rule)).toEqual(['duplicate-name']);
  });

  test('GIVEN empty YAML documents (null) and scalars WHEN validated THEN they are skipped without a crash', () => {
    const report = validateManifests([null as unknown as object, 'text' as unknown as object, validNodeClass(), validNodePool()]);
    expect(report.findings).toEqual([]);
  });

  test('GIVEN other kinds in the output WHEN validated THEN they are ignored', () => {
    const report = validateManifests([{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data: { a: 1 } }, validNodeClass(), validNodePool()]);
    expect(report.findings).toEqual([]);
  });
});

describe('NodeConfig documents inside userData', () => {
  const withNodeConfig = (doc: string) => setAt(validNodeClass(), '/spec/userData', nativeUserData(doc));

  test('GIVEN scalar kubelet.config values (imageServiceEndpoint, registryPullQPS) WHEN validated THEN they are accepted despite the CRD typing', () => {
    expect(validateManifests([withNodeConfig(FAST_IMAGE_PULL_NODE_CONFIG), validNodePool()]).errors).toEqual([]);
  });

  test.each([
    ['wrong apiVersion', FAST_IMAGE_PULL_NODE_CONFIG.replace('v1alpha1', 'v1alpha'), '/spec/userData[part 1]/apiVersion'],
    ['wrong kind', FAST_IMAGE_PULL_NODE_CONFIG.replace('kind: NodeConfig', 'kind: NodeConfiguration'), '/spec/userData[part 1]/kind'],
    ['feature gate not a boolean', FAST_IMAGE_PULL_NODE_CONFIG.replace('FastImagePull: true', 'FastImagePull: "yes"'), '/spec/userData[part 1]/spec/featureGates/FastImagePull'],
    ['mis-cased field', FAST_IMAGE_PULL_NODE_CONFIG.replace('featureGates', 'FeatureGates'), '/spec/userData[part 1]/spec/FeatureGates'],
    ['localStorage strategy enum', `${FAST_IMAGE_PULL_NODE_CONFIG}  instance:\n    localStorage:\n      strategy: RAID5\n`, '/spec/userData[part 1]/spec/instance/localStorage/strategy'],
    ['kubelet.flags not a list', `${FAST_IMAGE_PULL_NODE_CONFIG}`.replace('  kubelet:\n', '  kubelet:\n    flags: --v=2\n'), '/spec/userData[part 1]/spec/kubelet/flags'],
  ])('GIVEN a NodeConfig with %s WHEN validated THEN an error at its path', (_name, doc, expectedPath) => {
    const errors = validateManifests([withNodeConfig(doc), validNodePool()]).errors.filter((e) => e.rule === 'node-config-schema');
    expect(errors.map((e) => e.jsonPath)).toContain(expectedPath);
  });

  test('GIVEN malformed MIME WHEN validated THEN a user-data-format error', () => {
    const nodeClass = setAt(validNodeClass(), '/spec/userData', mime([{ contentType: NODE_CONFIG_TYPE, body: FAST_IMAGE_PULL_NODE_CONFIG }]).replace('\n\n--//', '\n--//'));
    expect(validateManifests([nodeClass, validNodePool()]).errors.map((e) => e.rule)).toContain('user-data-format');
  });
});

describe('formatFindings', () => {
  test('GIVEN a report WHEN formatted THEN one line per finding with source, kind/name, path, value and message, then a summary', () => {
    const nodePool = setAt(validNodePool(), '/spec/weight', 0);
    const report = validateManifests([validNodeClass(), nodePool], { sourceOf: (_m, i) => `file-${i}.yaml` });
    const lines = formatFindings(report).split('\n');
    expect(lines[0]).toBe('ERROR [schema] file-1.yaml NodePool/soci /spec/weight 0: must be >= 1 (NodePool schema, Karpenter v1.14.1)');
    expect(lines[lines.length - 1]).toMatch(/^1 error\(s\), 0 warning\(s\); CEL rules evaluated: \d+, skipped \(oldSelf\): 3$/);
  });

  test('GIVEN the same input twice WHEN validated THEN the output is identical (deterministic)', () => {
    const input = () => [setAt(validNodeClass(), '/spec/blockDeviceMappings/0/ebs/throughput', 125), setAt(validNodePool(), '/spec/weight', 0)];
    expect(formatFindings(validateManifests(input()))).toBe(formatFindings(validateManifests(input())));
  });
});

describe('the app output in dist/', () => {
  // One folder per cluster (the ones with a kustomization.yaml); dist/helm/ holds templates and
  // dist/gitops/ Argo CD and Flux objects, which are checked with the chart and the GitOps files.
  const dist = path.resolve(__dirname, '../../dist');
  const clusterFolders = fs.existsSync(dist) ? fs.readdirSync(dist).filter((d) => fs.existsSync(path.join(dist, d, 'kustomization.yaml'))) : [];
  const clusters = clusterFolders.map((cluster) => ({
    cluster,
    manifests: fs.readdirSync(path.join(dist, cluster)).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')
      .flatMap((f) => parseAllDocuments(fs.readFileSync(path.join(dist, cluster, f), 'utf8')).map((d) => d.toJS())),
  }));

  // dist/ is committed: these run on every checkout, never skipped.
  test('GIVEN the committed dist/ manifests, cluster by cluster, WHEN validated THEN no error', () => {
    expect(clusterFolders).toContain('my-cluster');
    expect(clusters.every((c) => c.manifests.some((m) => m?.kind === 'NodePool') && c.manifests.some((m) => m?.kind === 'EC2NodeClass'))).toBe(true);
    expect(validateClusters(clusters).errors).toEqual([]);
  });

  test('GIVEN the dist/ manifests WHEN one field at a time is broken THEN each is rejected', () => {
    const breakers: ReadonlyArray<[string, string, unknown]> = [
      ['NodePool', '/spec/template/spec/expireAfter', '1d'],
      ['NodePool', '/spec/template/spec/nodeClassRef/name', 'missing'],
      ['NodePool', '/spec/disruption/consolidationPolicy', 'Never'],
      ['EC2NodeClass', '/spec/role', ''],
      ['EC2NodeClass', '/spec/metadataOptions', { httpPutResponseHopLimit: 0 }],
      ['EC2NodeClass', '/spec/amiSelectorTerms', [{ alias: 'al2023' }]],
    ];
    const manifests = clusters.find((c) => c.cluster === 'my-cluster')!.manifests;
    for (const [kind, pointer, value] of breakers) {
      const copy = structuredClone(manifests);
      const target = copy.find((m) => m?.kind === kind);
      setAt(target, pointer, value);
      expect({ kind, pointer, rejected: validateManifests(copy).errors.length > 0 }).toEqual({ kind, pointer, rejected: true });
    }
  });
});

describe('context objects', () => {
  test('GIVEN a NodePool and its EC2NodeClass as context WHEN validated THEN the reference resolves and only the pool is checked', () => {
    // GIVEN a node class with a schema error, passed only as context
    const nodeClass = setAt(validNodeClass(), '/spec/metadataOptions/httpPutResponseHopLimit', 0);

    // WHEN
    const report = validateManifests([validNodePool()], { context: [nodeClass] });

    // THEN no dangling-reference error, and nothing reported about the context object
    expect(report.errors.map((e) => `${e.kind}:${e.rule}`)).toEqual([]);
    expect(validateManifests([validNodePool()]).errors.map((e) => e.rule)).toEqual(['node-class-ref']);
  });
});
