export * from './user-data-part';
export * from './multipart';
export * from './compose';
export * from './cluster-section';
export * from './toml';
