/**
 * Turns a loaded cluster file into constructs: one cdk8s Chart per cluster, an
 * Ec2NodeClass per node class and a NodePool per pool. Construct ids are the
 * YAML paths (`nodeClasses[0]`), so construct and validation messages point
 * into the file.
 */
import { App, Chart } from 'cdk8s';
import { isDeepStrictEqual } from 'node:util';
import * as aws from '../../imports/karpenter.k8s.aws';
import * as sh from '../../imports/karpenter.sh';
import { ChunkSize } from '../bootstrap/chunk-size';
import { ContainerdConfigVersion } from '../bootstrap/containerd-config';
import { INodeBootstrap } from '../bootstrap/node-bootstrap';
import { ParallelPullTuning } from '../bootstrap/parallel-pull-tuning';
import { SociBootstrap } from '../bootstrap/soci-bootstrap';
import { AmiSelector } from '../constructs/ami-selector';
import { Ec2NodeClass } from '../constructs/ec2-node-class';
import { NodePool } from '../constructs/node-pool';
import { ConfigError } from '../errors';
import { UserDataPart } from '../userdata/user-data-part';
import { SociGuard } from '../validation/acknowledgements';
import { ImagePullBenchmark } from '../benchmark/image-pull-benchmark';
import {
  BootstrapSpec, ClusterSpec, DEFAULT_BENCHMARK_NAMESPACE, defaultDiscoveryTag, defaultRole, ImagePullBenchmarkSpec, NodeClassSpec, NodePoolSpec, TuningSpec, UserDataPartSpec,
} from './cluster-file';

/** Builds one chart per cluster into a new (or the given) app. */
export function buildClustersApp(specs: readonly ClusterSpec[], app: App = new App()): App {
  for (const spec of specs) buildClusterChart(app, spec);
  return app;
}

/**
 * Builds the chart of one cluster (chart id = cluster name, no name hashes).
 * Errors the constructs raise are re-thrown naming the file and YAML path.
 */
export function buildClusterChart(app: App, spec: ClusterSpec): Chart {
  const chart = new Chart(app, spec.name, { disableResourceNameHashes: true });
  const nodeClasses = new Map<string, Ec2NodeClass>();
  spec.nodeClasses.forEach((nodeClass, i) => {
    const path = `nodeClasses[${i}]`;
    nodeClasses.set(nodeClass.name, inFile(spec, path, () => buildNodeClass(chart, path, spec.name, nodeClass)));
  });
  const nodePools = new Map<string, NodePool>();
  spec.nodePools.forEach((pool, i) => {
    const path = `nodePools[${i}]`;
    nodePools.set(pool.name, inFile(spec, path, () => buildNodePool(chart, path, pool, nodeClasses.get(pool.nodeClass)!)));
  });
  if (spec.imagePullBenchmark) {
    inFile(spec, 'imagePullBenchmark', () => buildBenchmark(chart, spec, spec.imagePullBenchmark!, nodePools));
  }
  return chart;
}

const BENCHMARK_ID = 'imagePullBenchmark';

/**
 * The benchmark Jobs and, unless switched off, a baseline: the first SOCI pool's node class
 * without its bootstrap, and a pool with that pool's requirements.
 */
function buildBenchmark(chart: Chart, cluster: ClusterSpec, spec: ImagePullBenchmarkSpec, pools: ReadonlyMap<string, NodePool>): ImagePullBenchmark {
  const where = `${chart.node.path}/${BENCHMARK_ID}`;
  const sociPools = (spec.sociPools ?? [...pools.values()].filter((p) => p.nodeClass.bootstrap !== undefined).map((p) => p.name)).map((name) => {
    const pool = pools.get(name);
    if (!pool) throw new ConfigError(where, 'sociPools', name, `the name of a pool in this file: ${[...pools.keys()].join(', ')}`);
    return pool;
  });
  if (sociPools.length === 0) {
    throw new ConfigError(where, 'sociPools', spec.sociPools, 'name the pools to measure: no pool of this file has a node class with a SOCI bootstrap');
  }
  let baselinePool: NodePool | undefined;
  if (spec.baseline ?? true) {
    const mirrored = sociPools[0]!;
    const classSpec = cluster.nodeClasses.find((c) => c.name === mirrored.nodeClass.name)!;
    const nodeClass = buildNodeClass(chart, `${BENCHMARK_ID}.baseline.nodeClass`, cluster.name, { ...classSpec, name: `${classSpec.name}-baseline`, bootstrap: undefined });
    baselinePool = ImagePullBenchmark.baselinePool(chart, `${BENCHMARK_ID}.baseline.nodePool`, nodeClass, { sociPool: mirrored, name: `${mirrored.name}-baseline` });
  }
  return new ImagePullBenchmark(chart, BENCHMARK_ID, {
    name: 'pull-benchmark',
    image: spec.image,
    command: spec.command && [...spec.command],
    sociPools,
    baselinePool,
    runs: spec.runs,
    namespace: spec.namespace ?? DEFAULT_BENCHMARK_NAMESPACE,
  });
}

function buildNodeClass(chart: Chart, id: string, cluster: string, spec: NodeClassSpec): Ec2NodeClass {
  return new Ec2NodeClass(chart, id, {
    metadata: { name: spec.name },
    role: spec.role ?? (spec.instanceProfile === undefined ? defaultRole(cluster) : undefined),
    instanceProfile: spec.instanceProfile,
    discoveryTag: spec.discoveryTag ?? defaultDiscoveryTag(cluster),
    subnetSelectorTerms: spec.subnetSelectorTerms as aws.Ec2NodeClassSpecSubnetSelectorTerms[] | undefined,
    securityGroupSelectorTerms: spec.securityGroupSelectorTerms as aws.Ec2NodeClassSpecSecurityGroupSelectorTerms[] | undefined,
    amiSelectorTerms: spec.amiAlias !== undefined ? AmiSelector.alias(spec.amiAlias) : spec.amiSelectorTerms as aws.Ec2NodeClassSpecAmiSelectorTerms[] | undefined,
    amiFamily: spec.amiFamily as aws.Ec2NodeClassSpecAmiFamily | undefined,
    bootstrap: spec.bootstrap && nested(`${id}.bootstrap`, () => bootstrapOf(spec.bootstrap!)),
    userDataBefore: spec.userDataBefore && nested(`${id}.userDataBefore`, () => spec.userDataBefore!.map(userDataPart)),
    userDataAfter: spec.userDataAfter && nested(`${id}.userDataAfter`, () => spec.userDataAfter!.map(userDataPart)),
    bottlerocketSettings: spec.bottlerocketSettings,
    instanceStorePolicy: spec.instanceStorePolicy as aws.Ec2NodeClassSpecInstanceStorePolicy | undefined,
    dataVolume: spec.dataVolume,
    metadataOptions: spec.metadataOptions as aws.Ec2NodeClassSpecMetadataOptions | undefined,
    tags: spec.tags,
    kubelet: spec.kubelet && kubeletProps(spec.kubelet),
    acknowledge: spec.acknowledge as SociGuard[] | undefined,
  });
}

function buildNodePool(chart: Chart, id: string, spec: NodePoolSpec, nodeClass: Ec2NodeClass): NodePool {
  return new NodePool(chart, id, {
    metadata: { name: spec.name },
    nodeClass,
    requirements: spec.requirements as sh.NodePoolSpecTemplateSpecRequirements[] | undefined,
    labels: spec.labels,
    nodeAnnotations: spec.nodeAnnotations,
    taints: spec.taints?.map(withDates) as sh.NodePoolSpecTemplateSpecTaints[] | undefined,
    startupTaints: spec.startupTaints?.map(withDates) as sh.NodePoolSpecTemplateSpecStartupTaints[] | undefined,
    limits: spec.limits,
    weight: spec.weight,
    expireAfter: spec.expireAfter,
    terminationGracePeriod: spec.terminationGracePeriod,
    disruption: spec.disruption && {
      consolidationPolicy: spec.disruption.consolidationPolicy as sh.NodePoolSpecDisruptionConsolidationPolicy | undefined,
      consolidateAfter: spec.disruption.consolidateAfter,
      budgets: spec.disruption.budgets as sh.NodePoolSpecDisruptionBudgets[] | undefined,
    },
    acknowledge: spec.acknowledge as SociGuard[] | undefined,
  });
}

/** The `SociBootstrap` a bootstrap entry names, with its options. */
export function bootstrapOf(spec: BootstrapSpec): INodeBootstrap {
  const tuning = spec.tuning && tuningOf(spec.tuning);
  switch (spec.strategy) {
    case 'native':
      return SociBootstrap.native({ tuning, keepSociDataOnEbs: spec.keepSociDataOnEbs });
    case 'manualInstall':
      return SociBootstrap.manualInstall({
        tuning,
        sociVersion: spec.sociVersion,
        mirrorBaseUrl: spec.mirrorBaseUrl,
        allowInsecureMirror: spec.allowInsecureMirror,
        sha256: spec.sha256,
        containerdConfigVersion: spec.containerdConfigVersion as ContainerdConfigVersion | undefined,
        sociRoot: spec.sociRoot,
        download: spec.download,
      });
    case 'bottlerocket':
      return SociBootstrap.bottlerocket({ tuning });
    case 'amiDefault':
      return SociBootstrap.amiDefault();
  }
}

function tuningOf(spec: TuningSpec): ParallelPullTuning {
  return withoutUndefined({
    maxConcurrentDownloads: spec.maxConcurrentDownloads,
    maxConcurrentDownloadsPerImage: spec.maxConcurrentDownloadsPerImage,
    concurrentDownloadChunkSize: spec.concurrentDownloadChunkSize === undefined ? undefined : ChunkSize.of(spec.concurrentDownloadChunkSize),
    maxConcurrentUnpacks: spec.maxConcurrentUnpacks,
    maxConcurrentUnpacksPerImage: spec.maxConcurrentUnpacksPerImage,
    discardUnpackedLayers: spec.discardUnpackedLayers,
    decompressStreams: spec.decompressStreams && {
      gzip: spec.decompressStreams.gzip && { path: spec.decompressStreams.gzip.path, args: spec.decompressStreams.gzip.args && [...spec.decompressStreams.gzip.args] },
      zstd: spec.decompressStreams.zstd && { path: spec.decompressStreams.zstd.path, args: spec.decompressStreams.zstd.args && [...spec.decompressStreams.zstd.args] },
    },
  });
}

/**
 * The file holds kubelet settings under the CRD's JSON names (`clusterDNS`,
 * `imageGCHighThresholdPercent`), which the generated types spell differently
 * (`clusterDns`, `imageGcHighThresholdPercent`); each key becomes the prop name
 * the generated converter turns back into that JSON name.
 */
function kubeletProps(kubelet: Record<string, unknown>): aws.Ec2NodeClassSpecKubelet {
  const props: Record<string, unknown> = {};
  for (const [jsonName, value] of Object.entries(kubelet)) {
    const camel = jsonName.replace(/[A-Z]{2,}(?=[A-Z][a-z]|$)/g, (run) => run[0] + run.slice(1).toLowerCase());
    const propName = [jsonName, camel].find((name) => isDeepStrictEqual(aws.toJson_Ec2NodeClassSpecKubelet({ [name]: value })?.[jsonName], value));
    props[propName ?? jsonName] = value;
  }
  return props as aws.Ec2NodeClassSpecKubelet;
}

function userDataPart(spec: UserDataPartSpec): UserDataPart {
  return 'shellScript' in spec ? UserDataPart.shellScript(spec.shellScript) : UserDataPart.nodeConfig(spec.nodeConfig);
}

function withDates(taint: Record<string, unknown>): Record<string, unknown> {
  return typeof taint.timeAdded === 'string' ? { ...taint, timeAdded: new Date(taint.timeAdded) } : taint;
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** Builder errors (`SociBootstrap.native: tuning.x ...`) re-thrown at the YAML path of the entry that caused them. */
function nested<T>(yamlPath: string, build: () => T): T {
  try {
    return build();
  } catch (err) {
    if (err instanceof ConfigError && !err.where.includes('/')) throw new ConfigError(yamlPath, err.field, err.value, err.allowed);
    throw err;
  }
}

/** Construct errors re-thrown with the file in front: `clusters/x.yaml: nodePools[0]: weight 101 is invalid: ...`. */
function inFile<T>(spec: ClusterSpec, yamlPath: string, build: () => T): T {
  try {
    return build();
  } catch (err) {
    if (err instanceof ConfigError) {
      const where = err.where.startsWith(`${spec.name}/`) ? err.where.slice(spec.name.length + 1) : err.where.startsWith(yamlPath) ? err.where : `${yamlPath} (${err.where})`;
      throw new ConfigError(`${spec.file}: ${where}`, err.field, err.value, err.allowed);
    }
    throw err;
  }
}
