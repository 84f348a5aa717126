export * from './atomic-dir';
export * from './cli-plugin-properties';
export * from './manifest-files';
export * from './output-folder';
export * from './output-lock';
export * from './synth';
export * from './validation-gate';
