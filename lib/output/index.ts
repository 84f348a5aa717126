export * from './atomic-dir';
export * from './manifest-files';
export * from './output-folder';
export * from './output-lock';
export * from './synth';
export * from './validation-gate';
