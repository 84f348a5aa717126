export * from './ami-selector';
export * from './block-devices';
export * from './ec2-node-class';
export * from './node-pool';
export * from './requirement';
