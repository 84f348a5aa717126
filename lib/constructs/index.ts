// Public API of the constructs; prop checks and conversions stay internal.
export { AmiSelector } from './ami-selector';
export type { DataVolumeProps } from './block-devices';
export * from './ec2-node-class';
export * from './node-pool';
export * from './requirement';
