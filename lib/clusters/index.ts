// Clusters as data: cluster files in, one cdk8s Chart per cluster out.
export type {
  BootstrapSpec, BootstrapStrategy, ClusterFile, ClusterSpec, DecompressStreamSpec, NodeClassSpec, NodePoolSpec, TuningSpec, UserDataPartSpec,
} from './cluster-file';
export { clusterFileSchema, defaultDiscoveryTag, defaultRole, renderClusterFileSchema } from './cluster-file';
export { ClusterFileError, loadClusterFile, loadClusters, parseClusterFile, SCHEMA_MODELINE } from './load-clusters';
export type { ClusterFileProblem } from './load-clusters';
export { bootstrapOf, buildClusterChart, buildClustersApp } from './build-cluster';
