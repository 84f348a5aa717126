export * from './atomic-dir';
export * from './manifest-files';
export * from './synth';
export * from './validation-gate';
