import { App, Chart, Duration } from 'cdk8s';
import { NodePoolSpecTemplateSpecStartupTaintsEffect, NodePoolSpecTemplateSpecTaintsEffect } from '../../imports/karpenter.sh';
import { BASELINE_TAINT, BenchmarkLabels, ImagePullBenchmark } from '../../lib/benchmark';
import { SociBootstrap } from '../../lib/bootstrap';
import { AmiSelector, Ec2NodeClass, Ec2NodeClassProps, NodePool } from '../../lib/constructs';
import { validateManifests } from '../../lib/validation';
import { KubeTypeSchema } from '../../lib/validation/kube-type-schema';

const IMAGE = `public.ecr.aws/example/ml-inference@sha256:${'ab'.repeat(32)}`;
const CLASS_PROPS: Ec2NodeClassProps = { role: 'KarpenterNodeRole-bench', discoveryTag: 'bench' };

interface Fixture {
  chart: Chart;
  native: NodePool;
  bottlerocket: NodePool;
  baseline: NodePool;
}

/** GIVEN a native SOCI pool with taints, a Bottlerocket SOCI pool and a baseline pool mirroring the native one. */
function pools(): Fixture {
  const chart = new Chart(new App(), 'bench', { disableResourceNameHashes: true });
  const native = new NodePool(chart, 'SociNative', {
    nodeClass: new Ec2NodeClass(chart, 'SociNativeClass', { ...CLASS_PROPS, bootstrap: SociBootstrap.native() }),
    taints: [{ key: 'workload', value: 'ml', effect: NodePoolSpecTemplateSpecTaintsEffect.NO_SCHEDULE }],
    startupTaints: [{ key: 'node.example.com/agent-not-ready', effect: NodePoolSpecTemplateSpecStartupTaintsEffect.NO_EXECUTE }],
    limits: { cpu: 100, memory: '400Gi' },
  });
  const bottlerocket = new NodePool(chart, 'SociBottlerocket', {
    nodeClass: new Ec2NodeClass(chart, 'SociBottlerocketClass', {
      ...CLASS_PROPS, amiSelectorTerms: AmiSelector.alias('bottlerocket@v1.44.0'), bootstrap: SociBootstrap.bottlerocket(),
    }),
  });
  const baseline = ImagePullBenchmark.baselinePool(chart, 'Baseline', new Ec2NodeClass(chart, 'BaselineClass', CLASS_PROPS), { sociPool: native });
  return { chart, native, bottlerocket, baseline };
}

function objects(chart: Chart, kind: string): any[] {
  return chart.toJson().filter((o: any) => o.kind === kind);
}

describe('ImagePullBenchmark', () => {
  let fixture: Fixture;
  let jobs: any[];

  beforeAll(() => {
    fixture = pools();
    new ImagePullBenchmark(fixture.chart, 'Bench', {
      image: IMAGE,
      command: ['true'],
      sociPools: [fixture.native, fixture.bottlerocket],
      baselinePool: fixture.baseline,
      runs: 2,
      namespace: 'pull-benchmark',
    });
    jobs = objects(fixture.chart, 'Job');
  });

  test('WHEN synthesized THEN each pool gets one Job per run, SOCI pools first, named <benchmark>-<pool>-<run>', () => {
    expect(jobs.map((j) => j.metadata.name)).toEqual([
      'bench-soci-native-1', 'bench-soci-native-2',
      'bench-soci-bottlerocket-1', 'bench-soci-bottlerocket-2',
      'bench-baseline-1', 'bench-baseline-2',
    ]);
    expect(new Set(jobs.map((j) => j.metadata.namespace))).toEqual(new Set(['pull-benchmark']));
  });

  test('THEN the namespace is synthesized before the Jobs, so one apply creates both', () => {
    const kinds = fixture.chart.toJson().map((o: any) => `${o.kind}/${o.metadata.name}`);
    expect(kinds.filter((k: string) => k.startsWith('Namespace/'))).toEqual(['Namespace/pull-benchmark']);
    expect(kinds.indexOf('Namespace/pull-benchmark')).toBeLessThan(kinds.indexOf('Job/bench-soci-native-1'));
  });

  test('THEN every Job and pod is labelled with benchmark, pool, role and run', () => {
    const job = jobs.find((j) => j.metadata.name === 'bench-baseline-2');
    const expected = {
      [BenchmarkLabels.APP]: 'image-pull-benchmark',
      [BenchmarkLabels.INSTANCE]: 'bench',
      [BenchmarkLabels.POOL]: 'baseline',
      [BenchmarkLabels.ROLE]: 'baseline',
      [BenchmarkLabels.RUN]: '2',
    };
    expect(job.metadata.labels).toEqual(expected);
    expect(job.spec.template.metadata.labels).toMatchObject(expected);
    expect(jobs.filter((j) => j.metadata.labels[BenchmarkLabels.ROLE] === 'soci')).toHaveLength(4);
  });

  test('THEN each pod is pinned to its pool by a karpenter.sh/nodepool node selector', () => {
    expect(jobs.map((j) => j.spec.template.spec.nodeSelector)).toEqual([
      ...Array(2).fill({ 'karpenter.sh/nodepool': 'soci-native' }),
      ...Array(2).fill({ 'karpenter.sh/nodepool': 'soci-bottlerocket' }),
      ...Array(2).fill({ 'karpenter.sh/nodepool': 'baseline' }),
    ]);
  });

  test('THEN pods tolerate exactly their pool\'s taints and startup taints', () => {
    const tolerations = (name: string) => jobs.find((j) => j.metadata.name === name).spec.template.spec.tolerations;
    expect(tolerations('bench-soci-native-1')).toEqual([
      { key: 'workload', operator: 'Equal', value: 'ml', effect: 'NoSchedule' },
      { key: 'node.example.com/agent-not-ready', operator: 'Exists', effect: 'NoExecute' },
    ]);
    expect(tolerations('bench-soci-bottlerocket-1')).toBeUndefined();
    expect(tolerations('bench-baseline-1')).toEqual([{ key: BASELINE_TAINT.key, operator: 'Equal', value: 'true', effect: 'NoSchedule' }]);
  });

  test('THEN every run always pulls, never retries, and keeps off the nodes of every other run', () => {
    for (const job of jobs) {
      const pod = job.spec.template.spec;
      expect(pod.containers).toHaveLength(1);
      expect(pod.containers[0]).toMatchObject({ name: 'pull', image: IMAGE, imagePullPolicy: 'Always', command: ['true'] });
      expect(pod.restartPolicy).toBe('Never');
      expect(job.spec.backoffLimit).toBe(0);
      expect(pod.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution).toEqual([{
        labelSelector: { matchLabels: { [BenchmarkLabels.APP]: 'image-pull-benchmark', [BenchmarkLabels.INSTANCE]: 'bench' } },
        topologyKey: 'kubernetes.io/hostname',
      }]);
      expect(job.spec.template.metadata.annotations).toEqual({ 'karpenter.sh/do-not-disrupt': 'true' });
    }
  });

  test('THEN pods request little, clean up after an hour and stop after 30 minutes', () => {
    const job = jobs[0];
    expect(job.spec.template.spec.containers[0].resources).toEqual({
      requests: { cpu: '250m', memory: '256Mi' },
      limits: { cpu: '250m', memory: '256Mi' },
    });
    expect(job.spec.ttlSecondsAfterFinished).toBe(3600);
    expect(job.spec.activeDeadlineSeconds).toBe(1800);
    expect(job.spec.template.spec.automountServiceAccountToken).toBe(false);
    expect(job.spec.template.spec.containers[0].securityContext).toEqual({
      allowPrivilegeEscalation: false, privileged: false, readOnlyRootFilesystem: true, runAsNonRoot: true,
    });
  });

  test('THEN every Job conforms to the Kubernetes API types cdk8s-plus-28 ships', () => {
    const schema = KubeTypeSchema.load();
    for (const job of [...jobs, ...objects(fixture.chart, 'Namespace')]) {
      expect({ job: job.metadata.name, violations: schema.validate(job) }).toEqual({ job: job.metadata.name, violations: [] });
    }
  });

  test('THEN the baseline pool has the SOCI pool\'s requirements (bootstrap ones included), its own taint and no SOCI', () => {
    const [nativePool, , baselinePool] = objects(fixture.chart, 'NodePool');
    expect(baselinePool.metadata.name).toBe('baseline');
    expect(baselinePool.spec.template.spec.requirements).toEqual(nativePool.spec.template.spec.requirements);
    expect(baselinePool.spec.template.spec.requirements).toContainEqual({ key: 'karpenter.k8s.aws/instance-cpu', operator: 'Gt', values: ['3'] });
    expect(baselinePool.spec.template.spec.taints).toEqual([BASELINE_TAINT]);
    const baselineClass = objects(fixture.chart, 'EC2NodeClass').find((c) => c.metadata.name === 'baseline-class');
    expect(baselineClass.spec.userData ?? '').not.toMatch(/FastImagePull|soci/i);
    expect(baselineClass.spec.blockDeviceMappings).toEqual(objects(fixture.chart, 'EC2NodeClass').find((c) => c.metadata.name === 'soci-native-class').spec.blockDeviceMappings);
  });

  test('THEN the Karpenter objects beside the benchmark pass the project\'s validation', () => {
    const karpenter = fixture.chart.toJson().filter((o: any) => o.kind !== 'Job' && o.kind !== 'Namespace');
    expect(validateManifests(karpenter).errors).toEqual([]);
  });
});

describe('ImagePullBenchmark: bad input', () => {
  const cases: [string, (f: Fixture) => void, RegExp][] = [
    ['an image reference with a space', (f) => new ImagePullBenchmark(f.chart, 'B', { image: 'python 3', sociPools: [f.native] }), /bench\/B: image "python 3" is invalid: an image reference/],
    ['no SOCI pool', (f) => new ImagePullBenchmark(f.chart, 'B', { image: IMAGE, sociPools: [] }), /bench\/B: sociPools \[\] is invalid: a list of at least one NodePool/],
    ['zero runs', (f) => new ImagePullBenchmark(f.chart, 'B', { image: IMAGE, sociPools: [f.native], runs: 0 }), /bench\/B: runs 0 is invalid: an integer from 1 to 50/],
    ['the baseline among the SOCI pools', (f) => new ImagePullBenchmark(f.chart, 'B', { image: IMAGE, sociPools: [f.native, f.baseline], baselinePool: f.baseline }), /sociPools "baseline" is invalid: each pool once/],
    ['more CPU than the pool may ever have', (f) => new ImagePullBenchmark(f.chart, 'B', { image: IMAGE, sociPools: [f.native], resources: { cpuMillis: 200_000 } }), /resources.cpuMillis 200000 is invalid: an integer from 10 to 64000/],
    ['more memory than the pool\'s limit', (f) => new ImagePullBenchmark(f.chart, 'B', { image: IMAGE, sociPools: [f.baseline], resources: { memoryMib: 300_000 } }), /resources.memoryMib 314572800000 is invalid: at most the memory limit of NodePool baseline \(256Gi\)/],
    ['a Job name over 63 characters', (f) => new ImagePullBenchmark(f.chart, 'B', { image: IMAGE, sociPools: [f.native], name: 'a'.repeat(55) }), /name "a{55}-soci-native-1" is invalid: a DNS-1123 label/],
    ['a baseline class with a SOCI bootstrap', (f) => ImagePullBenchmark.baselinePool(f.chart, 'Bad', f.native.nodeClass, { sociPool: f.native }), /bench\/Bad: nodeClass "bench\/SociNativeClass" is invalid: a node class without a SOCI bootstrap/],
  ];
  test.each(cases)('GIVEN %s THEN a ConfigError names the path, field, value and what is allowed', (_name, build, message) => {
    const fixture = pools();
    expect(() => build(fixture)).toThrow(message);
  });

  test('GIVEN custom timings WHEN synthesized THEN they are written', () => {
    const fixture = pools();
    new ImagePullBenchmark(fixture.chart, 'B', {
      image: IMAGE, sociPools: [fixture.native], runs: 1, ttlAfterFinished: Duration.minutes(20), activeDeadline: Duration.minutes(5), runAsNonRoot: false,
    });
    const [job] = objects(fixture.chart, 'Job');
    expect(job.spec.ttlSecondsAfterFinished).toBe(1200);
    expect(job.spec.activeDeadlineSeconds).toBe(300);
    expect(job.spec.template.spec.securityContext.runAsNonRoot).toBe(false);
    expect(job.spec.template.spec.containers[0].command).toBeUndefined();
  });
});

describe('KubeTypeSchema', () => {
  test('GIVEN a Job with a wrong type, an unknown field and a missing required field THEN each is reported at its path', () => {
    const violations = KubeTypeSchema.load().validate({
      apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'x' },
      spec: { backoffLimit: '0', template: { spec: { containers: [{ image: 'busybox', imagePullPolicy: 'Always', pullPolicy: 'Always' }] } } },
    });
    expect(violations).toEqual([
      { path: '/spec/backoffLimit', message: '"0" is not a number' },
      { path: '/spec/template/spec/containers/0/name', message: 'required by Container' },
      { path: '/spec/template/spec/containers/0/pullPolicy', message: 'unknown field of Container' },
    ]);
  });

  test('GIVEN fields whose JSON name differs from the TypeScript name THEN they are known by their JSON name', () => {
    const violations = KubeTypeSchema.load().validate({
      apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'things.example.com' },
      spec: { group: 'example.com', scope: 'Namespaced', names: { kind: 'Thing', plural: 'things' }, versions: [{
        name: 'v1', served: true, storage: true,
        schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { spec: { $ref: '#/x' } } } },
      }] },
    });
    expect(violations).toEqual([]);
  });

  test('GIVEN a kind that is not a Kubernetes type THEN it is reported', () => {
    expect(KubeTypeSchema.load().knows('karpenter.sh/v1', 'NodePool')).toBe(false);
    expect(KubeTypeSchema.load().validate({ apiVersion: 'karpenter.sh/v1', kind: 'NodePool' })).toEqual([
      { path: '/kind', message: 'karpenter.sh/v1/NodePool is not a Kubernetes 1.28 API type' },
    ]);
  });
});

describe('loading cdk8s-plus-28', () => {
  test('GIVEN the library WHEN it is loaded and a cluster without a benchmark is built THEN cdk8s-plus-28 is not loaded; the first benchmark loads it', () => {
    jest.isolateModules(() => {
      // GIVEN cdk8s-plus-28 replaced by a module that records its loading
      const loaded = jest.fn();
      jest.doMock('cdk8s-plus-28', () => {
        loaded();
        return jest.requireActual('cdk8s-plus-28');
      });

      // WHEN the library is loaded and a pool and class are built
      const lib = require('../../lib') as typeof import('../../lib');
      const chart = new Chart(new App(), 'lazy', { disableResourceNameHashes: true });
      const soci = new lib.NodePool(chart, 'Soci', { nodeClass: new lib.Ec2NodeClass(chart, 'SociClass', CLASS_PROPS) });

      // THEN cdk8s-plus-28 was never loaded
      expect(loaded).not.toHaveBeenCalled();

      // AND WHEN a benchmark is built THEN it is, once
      new lib.ImagePullBenchmark(chart, 'Bench', { image: IMAGE, sociPools: [soci] });
      expect(loaded).toHaveBeenCalledTimes(1);
    });
  });
});
