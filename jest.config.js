/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  testMatch: ['**/test/**/*.test.ts'],
  transform: { '^.+\\.tsx?$': '<rootDir>/test/support/esbuild-transform.js' },
  // Two cores here: the default (cores - 1) leaves one idle while suites wait on the processes they spawn.
  maxWorkers: '100%',
  testSequencer: '<rootDir>/test/support/slow-first-sequencer.js',
  globalSetup: '<rootDir>/test/support/global-setup.js',
  globalTeardown: '<rootDir>/test/support/global-teardown.js',
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/.cdk8s.out/'],
};
