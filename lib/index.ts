/** cdk8s-karpenter-soci: the public API, in data-flow order. */
export * from './clusters';
export * from './constructs';
export * from './bootstrap';
export * from './userdata';
export * from './validation';
export * from './output';
export * from './helm';
export * from './gitops';
export * from './benchmark';
export * from './errors';
