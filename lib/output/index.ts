export * from './atomic-dir';
export * from './manifest-files';
export * from './synth';
