export * from './argv';
export * from './userdata-cli';
