/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  testMatch: ['**/test/**/*.test.ts'],
  transform: { '^.+\\.tsx?$': 'ts-jest' },
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/.cdk8s.out/'],
};
