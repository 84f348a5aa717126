/** cdk8s-karpenter-soci: the public API, in data-flow order. */
export * from './constructs';
export * from './bootstrap';
export * from './userdata';
export * from './output';
export * from './errors';
export { SociGuard, ACKNOWLEDGE_ANNOTATION } from './validation/acknowledgements';
