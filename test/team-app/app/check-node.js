// Runs under plain `node` (no TypeScript loader): the compiled library, required by name.
'use strict';
const assert = require('node:assert/strict');
const path = require('node:path');
const { App, Chart, Testing } = require('cdk8s');
const soci = require('cdk8s-karpenter-soci');

// One copy of cdk8s and constructs: the library resolves the app's own.
const libraryDir = path.dirname(require.resolve('cdk8s-karpenter-soci/package.json'));
assert.equal(require.resolve('cdk8s', { paths: [libraryDir] }), require.resolve('cdk8s'));
assert.equal(require.resolve('constructs', { paths: [libraryDir] }), require.resolve('constructs'));

// The enums a team needs come from the entry point.
assert.equal(soci.NodePoolSpecTemplateSpecTaintsEffect.NO_SCHEDULE, 'NoSchedule');
assert.equal(soci.Ec2NodeClassSpecInstanceStorePolicy.RAID0, 'RAID0');
assert.equal(soci.Ec2NodeClassSpecAmiFamily.BOTTLEROCKET, 'Bottlerocket');
assert.equal(soci.NodePoolSpecDisruptionConsolidationPolicy.WHEN_EMPTY, 'WhenEmpty');

// A subclass changes a default.
class SpotPool extends soci.NodePool {
  constructor(scope, id, props) {
    super(scope, id, { requirements: [soci.Requirement.in(soci.WellKnownLabels.CAPACITY_TYPE, 'spot')], ...props });
  }
}

// Two clusters in one app, each synthesized on its own.
const app = new App();
const objects = {};
for (const cluster of ['blue', 'green']) {
  const chart = new Chart(app, cluster, { disableResourceNameHashes: true });
  const nodeClass = new soci.Ec2NodeClass(chart, 'Soci', {
    metadata: { name: 'soci' },
    role: `KarpenterNodeRole-${cluster}`,
    discoveryTag: cluster,
    bootstrap: soci.SociBootstrap.native(),
  });
  new SpotPool(chart, 'Spot', { metadata: { name: 'spot' }, nodeClass });
  objects[cluster] = Testing.synth(chart);
}

// The plugin and the package's own manifest are exported; internals are not.
const { KarpenterSociValidation } = require('cdk8s-karpenter-soci/plugin');
assert.equal(typeof KarpenterSociValidation, 'function');
assert.equal(require('cdk8s-karpenter-soci/package.json').name, 'cdk8s-karpenter-soci');
assert.throws(() => require('cdk8s-karpenter-soci/build/lib/constructs/prop-checks'), { code: 'ERR_PACKAGE_PATH_NOT_EXPORTED' });

// cdk8s-plus-28 (the image-pull benchmark's Jobs) is a peer too: npm installed the app's one copy.
assert.equal(require.resolve('cdk8s-plus-28', { paths: [libraryDir] }), require.resolve('cdk8s-plus-28'));
assert.equal(typeof soci.ImagePullBenchmark, 'function');

process.stdout.write(JSON.stringify({ exports: Object.keys(soci).sort(), objects }));
