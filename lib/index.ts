/**
 * cdk8s-karpenter-soci: the public API, in data-flow order.
 *
 * The image-pull benchmark is not re-exported here: it is built on cdk8s-plus-28, an optional
 * peer dependency, so it has its own entry point, `cdk8s-karpenter-soci/benchmark`.
 */
export * from './clusters';
export * from './constructs';
export * from './bootstrap';
export * from './userdata';
export * from './validation';
export * from './output';
export * from './helm';
export * from './gitops';
export * from './errors';
