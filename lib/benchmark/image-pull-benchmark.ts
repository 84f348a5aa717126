import { ApiObject, Duration, JsonPatch, Size } from 'cdk8s';
import type * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { NodePoolSpecTemplateSpecTaints, NodePoolSpecTemplateSpecTaintsEffect } from '../../imports/karpenter.sh';
import { ConfigError } from '../errors';
import { NodePool } from '../constructs/node-pool';
import { checkDnsLabel, checkIntegerInRange, kebabCase } from '../constructs/prop-checks';
import { BENCHMARK_APP, BenchmarkLabels, BenchmarkRole, NODEPOOL_LABEL } from './benchmark-labels';

/**
 * cdk8s-plus-28, loaded when the first benchmark is built: it would add about 0.15 s to
 * loading this library (0.23 s without it), which apps, tests and tools without a
 * benchmark never need.
 */
function cdk8sPlus(): typeof kplus {
  return require('cdk8s-plus-28') as typeof kplus;
}

/** CPU and memory each benchmark pod requests (and is limited to). */
export interface BenchmarkResources {
  /**
   * CPU in millicores.
   * @default 250
   */
  readonly cpuMillis?: number;
  /**
   * Memory in MiB.
   * @default 256
   */
  readonly memoryMib?: number;
}

/** Props of an {@link ImagePullBenchmark}. */
export interface ImagePullBenchmarkProps {
  /**
   * The image to pull, as a pod would name it. Pin it by digest (`repo@sha256:...`) so that
   * every run pulls the same bytes.
   */
  readonly image: string;

  /**
   * Command the container runs once the image is pulled. The pull is measured either way; give a
   * command that exits (for example `["true"]`) when the image's entrypoint is a server.
   * @default - the image's entrypoint
   */
  readonly command?: string[];

  /** The pools whose nodes pull through SOCI; each gets `runs` Jobs. */
  readonly sociPools: NodePool[];

  /**
   * A pool without SOCI to compare against (see {@link ImagePullBenchmark.baselinePool}).
   * @default - no baseline: the report shows each pool's times without a speed-up
   */
  readonly baselinePool?: NodePool;

  /**
   * Jobs per pool. Each lands on a node of its own, so this is also the number of nodes per pool.
   * @default 3
   */
  readonly runs?: number;

  /**
   * Namespace of the Jobs; a Namespace object is synthesized with them, so one apply creates both.
   * @default - none set: the namespace `kubectl apply` uses
   */
  readonly namespace?: string;

  /**
   * Name of the benchmark, the prefix of every Job (`<name>-<pool>-<run>`).
   * @default - the construct id in kebab-case
   */
  readonly name?: string;

  /**
   * What each pod requests; kept small so that it fits every node a pool may launch.
   * @default - 250 millicores and 256 MiB
   */
  readonly resources?: BenchmarkResources;

  /**
   * How long a finished Job and its pod are kept. The report reads the pods' events, which the
   * API server keeps for an hour by default: read the report before then.
   * @default Duration.hours(1)
   */
  readonly ttlAfterFinished?: Duration;

  /**
   * How long a Job may run before Kubernetes stops it, so a run that cannot start never holds a node.
   * @default Duration.minutes(30)
   */
  readonly activeDeadline?: Duration;

  /**
   * Refuse to start containers whose image runs as root. The pull is measured before this check,
   * so an image that runs as root still gives its pull time; its pod then fails to start.
   * @default true
   */
  readonly runAsNonRoot?: boolean;
}

/** Props of {@link ImagePullBenchmark.baselinePool}. */
export interface BaselinePoolProps {
  /** The SOCI pool to mirror: its requirements are copied. */
  readonly sociPool: NodePool;
  /**
   * `metadata.name` of the baseline NodePool.
   * @default - the construct id in kebab-case
   */
  readonly name?: string;
  /**
   * Caps on the baseline pool's resources, so a benchmark cannot grow it far.
   * @default - { cpu: 64, memory: '256Gi' }
   */
  readonly limits?: { [resource: string]: number | string };
}

/** The taint that keeps everything but benchmark pods off baseline nodes. */
export const BASELINE_TAINT: NodePoolSpecTemplateSpecTaints = Object.freeze({
  key: 'karpenter-soci.io/benchmark-baseline', value: 'true', effect: NodePoolSpecTemplateSpecTaintsEffect.NO_SCHEDULE,
});

const IMAGE_REFERENCE = /^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*(:[\w][\w.-]{0,127})?(@sha256:[a-f0-9]{64})?$/;

/**
 * Jobs that pull one image on SOCI nodes and on baseline nodes, for `npm run pull-report`.
 *
 * Each run is a Job of one pod with `imagePullPolicy: Always`, pinned to its pool by a
 * `karpenter.sh/nodepool` node selector, tolerating the pool's taints, and kept off every node
 * another run of the benchmark uses (required pod anti-affinity on the host name), so that no run
 * finds the image in a warm cache. A Job never retries: a retry would pull from the same node's cache.
 */
export class ImagePullBenchmark extends Construct {
  /**
   * A NodePool for the baseline: the SOCI pool's node class props without a bootstrap, the SOCI
   * pool's requirements (including those its bootstrap adds), and a taint that only benchmark
   * pods tolerate. The node class is the caller's, built with the same props as the SOCI class
   * but without `bootstrap`, so the two differ only in SOCI.
   */
  public static baselinePool(scope: Construct, id: string, nodeClass: NodePool['nodeClass'], props: BaselinePoolProps): NodePool {
    if (nodeClass.bootstrap !== undefined) {
      throw new ConfigError(`${scope.node.path}/${id}`, 'nodeClass', nodeClass.node.path,
        'a node class without a SOCI bootstrap (build it with the SOCI class\'s props, leaving out bootstrap)');
    }
    const soci = props.sociPool.resource.toJson().spec.template.spec;
    return new NodePool(scope, id, {
      metadata: props.name === undefined ? undefined : { name: props.name },
      nodeClass,
      requirements: soci.requirements,
      taints: [BASELINE_TAINT],
      limits: props.limits ?? { cpu: 64, memory: '256Gi' },
      disruption: { consolidateAfter: '5m' },
    });
  }

  /** The benchmark's name: the prefix of its Jobs and the value of its instance label. */
  public readonly name: string;
  /** Every Job, SOCI pools first, in run order. */
  public readonly jobs: readonly kplus.Job[];

  public constructor(scope: Construct, id: string, props: ImagePullBenchmarkProps) {
    super(scope, id);
    this.name = checkDnsLabel(this, 'name', props.name ?? kebabCase(id));
    checkImage(this, props.image);
    const runs = checkIntegerInRange(this, 'runs', props.runs, 1, 50) ?? 3;
    const resources = checkResources(this, props.resources);
    if (!Array.isArray(props.sociPools) || props.sociPools.length === 0 || !props.sociPools.every((p) => p instanceof NodePool)) {
      throw new ConfigError(this.node.path, 'sociPools', props.sociPools, 'a list of at least one NodePool construct');
    }
    const pools: [NodePool, BenchmarkRole][] = [
      ...props.sociPools.map((p): [NodePool, BenchmarkRole] => [p, BenchmarkRole.SOCI]),
      ...(props.baselinePool ? [[props.baselinePool, BenchmarkRole.BASELINE] as [NodePool, BenchmarkRole]] : []),
    ];
    checkDistinctPools(this, pools.map(([p]) => p));
    const plus = cdk8sPlus();
    if (props.namespace !== undefined) {
      new plus.Namespace(this, 'Namespace', { metadata: { name: checkDnsLabel(this, 'namespace', props.namespace) } });
    }

    // No namespace in the selector: an unset one means the pod's own, where every run is.
    const everyRun = plus.Pods.select(this, 'EveryRun', {
      labels: { [BenchmarkLabels.APP]: BENCHMARK_APP, [BenchmarkLabels.INSTANCE]: this.name },
    });
    const jobs: kplus.Job[] = [];
    for (const [pool, role] of pools) {
      checkFits(this, pool, resources);
      for (let run = 1; run <= runs; run++) {
        jobs.push(this.addRun(props, pool, role, run, resources, everyRun));
      }
    }
    this.jobs = jobs;
  }

  private addRun(props: ImagePullBenchmarkProps, pool: NodePool, role: BenchmarkRole, run: number,
    resources: Required<BenchmarkResources>, everyRun: kplus.Pods): kplus.Job {
    const plus = cdk8sPlus();
    const name = checkDnsLabel(this, 'name', `${this.name}-${pool.name}-${run}`);
    const labels = {
      [BenchmarkLabels.APP]: BENCHMARK_APP,
      [BenchmarkLabels.INSTANCE]: this.name,
      [BenchmarkLabels.POOL]: pool.name,
      [BenchmarkLabels.ROLE]: role,
      [BenchmarkLabels.RUN]: String(run),
    };
    const job = new plus.Job(this, name, {
      metadata: { name, namespace: props.namespace, labels },
      podMetadata: { labels, annotations: { 'karpenter.sh/do-not-disrupt': 'true' } },
      // The Job controller selects its own pods; plus's extra selector label would only add noise.
      select: false,
      backoffLimit: 0,
      restartPolicy: plus.RestartPolicy.NEVER,
      ttlAfterFinished: props.ttlAfterFinished ?? Duration.hours(1),
      activeDeadline: props.activeDeadline ?? Duration.minutes(30),
      automountServiceAccountToken: false,
      securityContext: { ensureNonRoot: props.runAsNonRoot ?? true },
      containers: [{
        name: 'pull',
        image: props.image,
        imagePullPolicy: plus.ImagePullPolicy.ALWAYS,
        command: props.command,
        securityContext: { ensureNonRoot: props.runAsNonRoot ?? true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, privileged: false },
        resources: {
          cpu: { request: plus.Cpu.millis(resources.cpuMillis), limit: plus.Cpu.millis(resources.cpuMillis) },
          memory: { request: sizeMib(resources.memoryMib), limit: sizeMib(resources.memoryMib) },
        },
      }],
    });
    for (const taint of poolTaints(pool)) {
      const effect = { effect: taint.effect as kplus.TaintEffect };
      job.scheduling.tolerate(plus.Node.tainted(taint.value === undefined
        ? plus.NodeTaintQuery.exists(taint.key, effect)
        : plus.NodeTaintQuery.is(taint.key, taint.value, effect)));
    }
    job.scheduling.separate(everyRun, { topology: plus.Topology.HOSTNAME });
    // A node selector rather than node affinity: the plainest way to say "this pool only".
    ApiObject.of(job).addJsonPatch(JsonPatch.add('/spec/template/spec/nodeSelector', { [NODEPOOL_LABEL]: pool.name }));
    return job;
  }
}

function sizeMib(mib: number): Size {
  return mib % 1024 === 0 ? Size.gibibytes(mib / 1024) : Size.mebibytes(mib);
}

function checkImage(scope: Construct, image: string): void {
  if (typeof image !== 'string' || image.length > 512 || !IMAGE_REFERENCE.test(image)) {
    throw new ConfigError(scope.node.path, 'image', image,
      'an image reference such as "public.ecr.aws/docker/library/python:3.13" or "repo/name@sha256:<64 hex>" (lower-case repository, optional registry host, tag and digest)');
  }
}

function checkResources(scope: Construct, given: BenchmarkResources = {}): Required<BenchmarkResources> {
  return {
    cpuMillis: checkIntegerInRange(scope, 'resources.cpuMillis', given.cpuMillis, 10, 64_000) ?? 250,
    memoryMib: checkIntegerInRange(scope, 'resources.memoryMib', given.memoryMib, 16, 1_048_576) ?? 256,
  };
}

function checkDistinctPools(scope: Construct, pools: readonly NodePool[]): void {
  const seen = new Set<string>();
  for (const pool of pools) {
    if (seen.has(pool.name)) {
      throw new ConfigError(scope.node.path, 'sociPools', pool.name, 'each pool once, and the baseline pool not among the SOCI pools');
    }
    seen.add(pool.name);
  }
}

interface PoolTaint { readonly key: string; readonly value?: string; readonly effect: string }

/** Taints and startup taints: a pod must tolerate both to be scheduled while the node starts. */
function poolTaints(pool: NodePool): PoolTaint[] {
  const spec = pool.resource.toJson().spec.template.spec;
  return [...(spec.taints ?? []), ...(spec.startupTaints ?? [])];
}

/** A request larger than the pool's cap could never be scheduled there. */
function checkFits(scope: Construct, pool: NodePool, resources: Required<BenchmarkResources>): void {
  const limits: Record<string, string | number> = pool.resource.toJson().spec.limits ?? {};
  const caps = [
    ['cpu', resources.cpuMillis / 1000, 'resources.cpuMillis'],
    ['memory', resources.memoryMib * 2 ** 20, 'resources.memoryMib'],
  ] as const;
  for (const [resource, requested, field] of caps) {
    const limit = limits[resource];
    if (limit !== undefined && quantityValue(limit) < requested) {
      throw new ConfigError(scope.node.path, field, requested,
        `at most the ${resource} limit of NodePool ${pool.name} (${limit}), or the pool can never launch a node for it`);
    }
  }
}

const SUFFIXES: Record<string, number> = {
  m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

/** A Kubernetes quantity as a number (`"500m"` → 0.5, `"8Gi"` → 8589934592). */
export function quantityValue(quantity: string | number): number {
  if (typeof quantity === 'number') return quantity;
  const match = /^([0-9.]+)([a-zA-Z]*)$/.exec(quantity);
  if (!match) return Number.NaN;
  const factor = match[2] === '' ? 1 : SUFFIXES[match[2]!];
  return factor === undefined ? Number.NaN : Number(match[1]) * factor;
}
