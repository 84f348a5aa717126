/**
 * The labels that tie a benchmark pod to its benchmark, its pool and its run.
 * The construct writes them and the pull report reads them, so they live in one place.
 */
export const BenchmarkLabels = {
  /** Every benchmark pod carries `app.kubernetes.io/name: image-pull-benchmark`. */
  APP: 'app.kubernetes.io/name',
  /** The benchmark's name, so several benchmarks can share a namespace. */
  INSTANCE: 'app.kubernetes.io/instance',
  /** The NodePool the pod was scheduled on purpose (its `karpenter.sh/nodepool` selector). */
  POOL: 'karpenter-soci.io/benchmark-pool',
  /** `soci` or `baseline`: which side of the comparison the pod belongs to. */
  ROLE: 'karpenter-soci.io/benchmark-role',
  /** The run number within its pool, from 1. */
  RUN: 'karpenter-soci.io/benchmark-run',
} as const;

/** The value of {@link BenchmarkLabels.APP} on every benchmark pod. */
export const BENCHMARK_APP = 'image-pull-benchmark';

/** Which side of the comparison a pool is on. */
export enum BenchmarkRole {
  /** Nodes that pull through SOCI. */
  SOCI = 'soci',
  /** Nodes that pull with containerd's default snapshotter. */
  BASELINE = 'baseline',
}

/** The node label Karpenter puts on every node it launches, naming its NodePool. */
export const NODEPOOL_LABEL = 'karpenter.sh/nodepool';
