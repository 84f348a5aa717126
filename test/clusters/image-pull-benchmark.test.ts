import { App } from 'cdk8s';
import { stringify } from 'yaml';
import { BenchmarkLabels } from '../../lib/benchmark';
import { buildClusterChart, ClusterFileError, ClusterSpec, parseClusterFile } from '../../lib/clusters';
import { synthesizeCharts } from '../../lib/output';
import { KubeTypeSchema } from '../../lib/validation/kube-type-schema';
import { validateManifests } from '../../lib/validation';

/** GIVEN a cluster with a native SOCI pool, an unbootstrapped pool and the benchmark switched on. */
function cluster(benchmark: Record<string, unknown>): Record<string, any> {
  return {
    name: 'lab',
    nodeClasses: [
      { name: 'soci', amiAlias: 'al2023@v20260724', bootstrap: { strategy: 'native' }, dataVolume: { sizeGiB: 300, throughputMiBps: 1000 } },
      { name: 'plain', amiAlias: 'al2023@v20260724' },
    ],
    nodePools: [
      { name: 'soci', nodeClass: 'soci', taints: [{ key: 'gpu', value: 'true', effect: 'NoSchedule' }] },
      { name: 'plain', nodeClass: 'plain' },
    ],
    imagePullBenchmark: benchmark,
  };
}

function specOf(content: Record<string, unknown>): ClusterSpec {
  const result = parseClusterFile('clusters/lab.yaml', stringify(content));
  if ('problems' in result) throw new ClusterFileError(result.problems);
  return result.spec;
}

function synth(content: Record<string, unknown>): any[] {
  const app = new App();
  buildClusterChart(app, specOf(content));
  return synthesizeCharts(app)[0]!.manifests as any[];
}

describe('a cluster file that switches the image-pull benchmark on', () => {
  const objects = synth(cluster({ image: 'public.ecr.aws/docker/library/python:3.13', command: ['true'], runs: 2 }));
  const named = (kind: string) => objects.filter((o) => o.kind === kind).map((o) => o.metadata.name);

  test('THEN the pools with a SOCI bootstrap are measured, against a baseline mirroring the first, in namespace pull-benchmark', () => {
    expect(named('Job')).toEqual(['pull-benchmark-soci-1', 'pull-benchmark-soci-2', 'pull-benchmark-soci-baseline-1', 'pull-benchmark-soci-baseline-2']);
    expect(named('Namespace')).toEqual(['pull-benchmark']);
    expect(named('NodePool')).toEqual(['soci', 'plain', 'soci-baseline']);
    expect(named('EC2NodeClass')).toEqual(['soci', 'plain', 'soci-baseline']);
    const job = objects.find((o) => o.metadata.name === 'pull-benchmark-soci-baseline-1');
    expect(job.metadata.labels[BenchmarkLabels.ROLE]).toBe('baseline');
    expect(job.spec.template.spec.nodeSelector).toEqual({ 'karpenter.sh/nodepool': 'soci-baseline' });
  });

  test('THEN the baseline class is the SOCI class without its bootstrap: same volume, no user data', () => {
    const [soci, , baseline] = objects.filter((o) => o.kind === 'EC2NodeClass');
    expect(baseline.spec.blockDeviceMappings).toEqual(soci.spec.blockDeviceMappings);
    expect(baseline.spec.userData).toBeUndefined();
    expect(soci.spec.userData).toContain('FastImagePull: true');
  });

  test('THEN every object passes validation: Karpenter\'s by the project\'s validator, the rest by the Kubernetes types', () => {
    const schema = KubeTypeSchema.load();
    const karpenter = objects.filter((o) => !schema.knows(o.apiVersion, o.kind));
    expect(validateManifests(karpenter).errors).toEqual([]);
    for (const o of objects.filter((x) => schema.knows(x.apiVersion, x.kind))) expect(schema.validate(o)).toEqual([]);
  });

  test('GIVEN an unknown pool name THEN the error names the file, the YAML path and the pools there are', () => {
    expect(() => synth(cluster({ image: 'busybox:1.36', sociPools: ['sooci'] })))
      .toThrow('clusters/lab.yaml: imagePullBenchmark: sociPools "sooci" is invalid: the name of a pool in this file: soci, plain');
  });

  test('GIVEN an unknown key THEN the loader refuses it', () => {
    expect(() => specOf(cluster({ image: 'busybox:1.36', rnus: 3 }))).toThrow(/imagePullBenchmark\.rnus/);
  });

  test('GIVEN baseline: false and a namespace THEN only the SOCI pools are measured, in that namespace', () => {
    const without = synth(cluster({ image: 'busybox:1.36', baseline: false, namespace: 'bench', runs: 1 }));
    expect(without.filter((o) => o.kind === 'Job').map((o) => `${o.metadata.namespace}/${o.metadata.name}`)).toEqual(['bench/pull-benchmark-soci-1']);
    expect(without.filter((o) => o.kind === 'NodePool').map((o) => o.metadata.name)).toEqual(['soci', 'plain']);
  });
});
