import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App } from 'cdk8s';
import { stringify } from 'yaml';
import {
  buildClusterChart, ClusterFileError, ClusterSpec, loadClusters, parseClusterFile, renderClusterFileSchema, SCHEMA_MODELINE,
} from '../../lib/clusters';
import { ConfigError } from '../../lib/errors';
import { synthesizeCharts } from '../../lib/output';
import { projectCopy } from '../support/project-copy';

const ROOT = path.resolve(__dirname, '../..');
const CLUSTERS = path.join(ROOT, 'clusters');

/** A valid cluster file's content, to break one field at a time. */
function validCluster(): Record<string, any> {
  return {
    name: 'test',
    nodeClasses: [{ name: 'nodes', amiAlias: 'al2023@v20260724', bootstrap: { strategy: 'native', tuning: { maxConcurrentDownloadsPerImage: 10 } } }],
    nodePools: [{ name: 'pool', nodeClass: 'nodes', weight: 10 }],
  };
}

function problemsOf(content: unknown, file = 'clusters/test.yaml'): string {
  const result = parseClusterFile(file, typeof content === 'string' ? content : `${SCHEMA_MODELINE}\n${stringify(content)}`);
  if ('spec' in result) throw new Error('expected the file to be refused');
  return new ClusterFileError(result.problems).message;
}

function specOf(content: Record<string, unknown>): ClusterSpec {
  const result = parseClusterFile('clusters/test.yaml', stringify(content));
  if ('problems' in result) throw new ClusterFileError(result.problems);
  return result.spec;
}

describe('the cluster files in clusters/', () => {
  test('load, start with the schema modeline, and cover the three bootstrap strategies', () => {
    // GIVEN / WHEN
    const specs = loadClusters(CLUSTERS);

    // THEN
    expect(specs.map((s) => s.name)).toEqual(['edge-bottlerocket', 'legacy-manual', 'my-cluster', 'pull-lab']);
    for (const spec of specs) expect(fs.readFileSync(spec.file, 'utf8').split('\n')[0]).toBe(SCHEMA_MODELINE);
    expect([...new Set(specs.flatMap((s) => s.nodeClasses.map((c) => c.bootstrap?.strategy)))].sort()).toEqual(['bottlerocket', 'manualInstall', 'native']);
  });

  test('clusters/cluster.schema.json is the schema the loader validates with (npm run synth rewrites it)', () => {
    expect(fs.readFileSync(path.join(CLUSTERS, 'cluster.schema.json'), 'utf8')).toBe(renderClusterFileSchema());
  });
});

describe('a cluster file with a mistake is refused, naming file:line:col, the YAML path, the value and what is allowed', () => {
  test.each<[string, (c: Record<string, any>) => void, string]>([
    ['an unknown key', (c) => (c.nodeClasses[0].amiAliass = 'x'),
      'clusters/test.yaml:10:5: nodeClasses[0].amiAliass "x" is invalid: not a known key here (did you mean amiAlias?); use one of name, role, instanceProfile, discoveryTag'],
    ['a wrong type', (c) => (c.nodePools[0].weight = 'heavy'), 'nodePools[0].weight "heavy" is invalid: a whole number from 1 to 100'],
    ['a value out of range', (c) => (c.nodePools[0].weight = 101), 'nodePools[0].weight 101 is invalid: a whole number from 1 to 100'],
    ['a concurrency of 0', (c) => (c.nodeClasses[0].bootstrap.tuning.maxConcurrentDownloadsPerImage = 0),
      'nodeClasses[0].bootstrap.tuning.maxConcurrentDownloadsPerImage 0 is invalid: a positive whole number, or -1 for no limit'],
    ['an option of another strategy', (c) => (c.nodeClasses[0].bootstrap.sociVersion = '0.15.0'),
      'nodeClasses[0].bootstrap.sociVersion "0.15.0" is invalid: not a known key here'],
    ['an unknown strategy', (c) => (c.nodeClasses[0].bootstrap.strategy = 'fast'),
      'nodeClasses[0].bootstrap.strategy "fast" is invalid: one of "native", "manualInstall", "bottlerocket", "amiDefault"'],
    ['both role and instanceProfile', (c) => Object.assign(c.nodeClasses[0], { role: 'r', instanceProfile: 'p' }),
      'is invalid: set at most one of role and instanceProfile'],
    ['a malformed AMI alias', (c) => (c.nodeClasses[0].amiAlias = 'al2023-latest'), 'nodeClasses[0].amiAlias "al2023-latest" is invalid: family@version'],
    ['a missing required field', (c) => delete c.nodePools[0].nodeClass, 'nodePools[0].nodeClass (not set) is invalid: required'],
    ['a taint effect Kubernetes does not know', (c) => (c.nodePools[0].taints = [{ key: 'k', effect: 'Sometimes' }]),
      'nodePools[0].taints[0].effect "Sometimes" is invalid: one of "NoSchedule", "PreferNoSchedule", "NoExecute"'],
    ['a pool naming a node class that is not in the file', (c) => (c.nodePools[0].nodeClass = 'other'),
      'nodePools[0].nodeClass "other" is invalid: the name of a node class in this file: nodes'],
    ['two node classes with one name', (c) => c.nodeClasses.push({ ...c.nodeClasses[0] }), 'nodeClasses[1].name "nodes" is invalid: a name not used by another entry'],
    ['a name that is not the file name', (c) => (c.name = 'prod'), 'name "prod" is invalid: the file name without .yaml ("test")'],
  ])('%s', (_case, breakIt, expected) => {
    // GIVEN a valid cluster with one mistake
    const content = validCluster();
    breakIt(content);

    // WHEN / THEN
    expect(problemsOf(content)).toContain(expected);
  });

  test('a long value is cut to about 80 characters and given its length', () => {
    const content = validCluster();
    content.nodeClasses[0].discoveryTag = ['x'.repeat(200)];
    expect(problemsOf(content)).toContain(`nodeClasses[0].discoveryTag ["${'x'.repeat(75)}... (204 chars) is invalid: a value of type string`);
  });

  test('every problem of every file is reported at once', () => {
    // GIVEN a folder with two broken files
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clusters-'));
    const one = validCluster();
    one.name = 'one';
    one.nodePools[0].weight = 0;
    fs.writeFileSync(path.join(dir, 'one.yaml'), stringify(one));
    fs.writeFileSync(path.join(dir, 'two.yaml'), 'name: two\nnodeClasses: [\n');

    // WHEN / THEN
    expect(() => loadClusters(dir)).toThrow(ClusterFileError);
    const message = (() => {
      try {
        loadClusters(dir);
        return '';
      } catch (err) {
        return (err as Error).message;
      }
    })();
    expect(message).toContain(`${path.join(dir, 'one.yaml')}:`);
    expect(message).toContain('nodePools[0].weight 0 is invalid');
    expect(message).toMatch(new RegExp(`${path.join(dir, 'two.yaml')}:\\d+:\\d+: .* is invalid: valid YAML`));
  });
});

describe('errors the constructs raise point into the file', () => {
  test('a bootstrap on the wrong AMI family names the file and the node class', () => {
    const content = validCluster();
    content.nodeClasses[0].amiAlias = 'bottlerocket@v1.50.0';
    expect(() => buildClusterChart(new App(), specOf(content))).toThrow(
      'clusters/test.yaml: nodeClasses[0]: bootstrap "SociBootstrap.native" is invalid: SociBootstrap.native needs an AMI of family al2023');
  });

  test('a tuning the builder refuses names the bootstrap\'s YAML path', () => {
    const content = validCluster();
    content.nodeClasses[0].bootstrap.tuning = { maxConcurrentDownloads: 5 };
    expect(() => buildClusterChart(new App(), specOf(content))).toThrow(
      /^clusters\/test.yaml: nodeClasses\[0\].bootstrap: tuning.maxConcurrentDownloads 5 is invalid: must be at least maxConcurrentDownloadsPerImage \(20, the nodeadm default\)/);
  });

  test('every field of a file reaches the objects', () => {
    // GIVEN a node class and a pool using most fields
    const content = validCluster();
    Object.assign(content.nodeClasses[0], {
      instanceProfile: 'nodes-profile', discoveryTag: 'net', instanceStorePolicy: 'RAID0', tags: { team: 'a' },
      dataVolume: { sizeGiB: 50, throughputMiBps: 700 }, kubelet: { maxPods: 58, imageGCHighThresholdPercent: 80, clusterDNS: ['10.0.0.10'] },
      userDataAfter: [{ shellScript: '#!/bin/bash\necho after' }],
    });
    Object.assign(content.nodePools[0], {
      requirements: [{ key: 'kubernetes.io/arch', operator: 'In', values: ['arm64'] }], labels: { tier: 'x' },
      taints: [{ key: 'k', value: 'v', effect: 'NoSchedule' }], limits: { cpu: 100, memory: '400Gi' }, expireAfter: 'Never',
      disruption: { consolidationPolicy: 'WhenEmpty', consolidateAfter: '5m', budgets: [{ nodes: '10%' }] },
    });

    // WHEN
    const app = new App();
    buildClusterChart(app, specOf(content));
    const [chart] = synthesizeCharts(app);
    const nodeClass = chart.manifests.find((m) => m.kind === 'EC2NodeClass') as any;
    const pool = chart.manifests.find((m) => m.kind === 'NodePool') as any;

    // THEN
    expect(chart.chartId).toBe('test');
    expect(nodeClass.spec).toMatchObject({
      instanceProfile: 'nodes-profile', instanceStorePolicy: 'RAID0', tags: { team: 'a' }, amiSelectorTerms: [{ alias: 'al2023@v20260724' }],
      subnetSelectorTerms: [{ tags: { 'karpenter.sh/discovery': 'net' } }], kubelet: { maxPods: 58, imageGCHighThresholdPercent: 80, clusterDNS: ['10.0.0.10'] },
    });
    expect(nodeClass.spec.role).toBeUndefined();
    expect(nodeClass.spec.blockDeviceMappings[0].ebs).toMatchObject({ volumeSize: '50Gi', throughput: 700 });
    expect(nodeClass.spec.userData).toContain('max_concurrent_downloads_per_image = 10');
    expect(nodeClass.spec.userData).toContain('echo after');
    expect(pool.spec).toMatchObject({
      weight: 10, limits: { cpu: 100, memory: '400Gi' },
      disruption: { consolidationPolicy: 'WhenEmpty', consolidateAfter: '5m', budgets: [{ nodes: '10%' }] },
      template: { metadata: { labels: { tier: 'x' } }, spec: { expireAfter: 'Never', taints: [{ key: 'k', value: 'v', effect: 'NoSchedule' }] } },
    });
    expect(pool.spec.template.spec.requirements[0]).toEqual({ key: 'kubernetes.io/arch', operator: 'In', values: ['arm64'] });
  });

  test('without role or instance profile, the role and discovery tag follow the cluster name', () => {
    const app = new App();
    buildClusterChart(app, specOf(validCluster()));
    const nodeClass = synthesizeCharts(app)[0].manifests.find((m) => m.kind === 'EC2NodeClass') as any;
    expect(nodeClass.spec.role).toBe('KarpenterNodeRole-test');
    expect(nodeClass.spec.subnetSelectorTerms).toEqual([{ tags: { 'karpenter.sh/discovery': 'test' } }]);
  });

  test('a ClusterFileError is a ConfigError', () => {
    expect(() => loadClusters(fs.mkdtempSync(path.join(os.tmpdir(), 'empty-clusters-')))).toThrow(ConfigError);
  });
});

describe('npm run synth with a bad cluster file', () => {
  test('fails naming the file and leaves dist/ untouched', () => {
    // GIVEN a copy of the project whose cluster file has a typo
    const work = projectCopy('bad-cluster-', ['main.ts', 'package.json', 'tsconfig.json', 'lib', 'imports', 'clusters', 'dist']);
    const file = path.join(work, 'clusters', 'my-cluster.yaml');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('instanceStorePolicy: RAID0', 'instanceStorePolicy: RAID1'));
    const before = treeOf(path.join(work, 'dist'));

    // WHEN synthesized as npm run synth does (a cluster file is data: build/ stays current)
    const result = spawnSync(process.execPath, ['scripts/run-app.mjs'], { cwd: work, encoding: 'utf8' });

    // THEN
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain(`${file}:9:5: nodeClasses[0].instanceStorePolicy "RAID1" is invalid: one of "RAID0"`);
    expect(treeOf(path.join(work, 'dist'))).toEqual(before);
  }, 60_000);
});

describe('npm run synth with a value only the CEL library decides', () => {
  /** The CEL library's files a run loaded, from Node.js's module debug log. */
  function celLibraryFilesLoaded(stderr: string): string[] {
    return [...new Set(stderr.match(/node_modules\/@bufbuild\/cel\/[^"\s]+/g) ?? [])];
  }

  test('loads the library from node_modules only then, and the value is judged as the API server would', () => {
    // GIVEN a copy of the project, whose bundle leaves the CEL library out (scripts/bundle-app.mjs)
    const work = projectCopy('cel-on-demand-', ['main.ts', 'package.json', 'tsconfig.json', 'lib', 'imports', 'clusters', 'dist']);
    const synth = () => spawnSync(process.execPath, ['scripts/run-app.mjs'], { cwd: work, encoding: 'utf8', env: { ...process.env, NODE_DEBUG: 'module' } });

    // WHEN the committed clusters are synthesized
    const plain = synth();

    // THEN every rule was decided without the library
    expect(plain.status).toBe(0);
    expect(celLibraryFilesLoaded(plain.stderr)).toEqual([]);

    // GIVEN a requirement "Gt +5": int('+5') is a spelling the fast path leaves to the library
    const file = path.join(work, 'clusters', 'edge-bottlerocket.yaml');
    const requirement = '      - key: karpenter.k8s.aws/instance-cpu\n        operator: Gt\n        values: ["+5"]\n';
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('    taints:\n', `${requirement}    taints:\n`));

    // WHEN synthesized again
    const decided = synth();

    // THEN the library was loaded from the project's node_modules, found the value valid (CEL's int() accepts a sign),
    // and the requirement reached dist/
    expect(decided.stderr).not.toContain('could not be evaluated');
    expect(decided.status).toBe(0);
    expect(celLibraryFilesLoaded(decided.stderr)).toContain('node_modules/@bufbuild/cel/dist/cjs/index.js');
    expect(fs.readFileSync(path.join(work, 'dist', 'edge-bottlerocket', 'nodepool-arm64-builds.yaml'), 'utf8')).toContain('- "+5"');
    fs.rmSync(work, { recursive: true, force: true });
  }, 60_000);
});

function treeOf(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (e.isFile()) out[path.relative(dir, path.join(e.parentPath, e.name))] = fs.readFileSync(path.join(e.parentPath, e.name), 'utf8');
  }
  return out;
}
