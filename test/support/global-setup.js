/**
 * jest globalSetup: every temporary file of a test run (project copies, synth outputs,
 * cdk8s's Testing outdirs, the children's own) goes into one folder, which
 * test/support/global-teardown.js removes when the run ends, so repeated runs do not fill
 * the system's temporary folder. Workers and the processes they start inherit TMPDIR,
 * which os.tmpdir() reads.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

module.exports = async function createTestTempRoot() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-karpenter-soci-test-'));
  process.env.CDK8S_KARPENTER_SOCI_TEST_TMPDIR = root;
  process.env.TMPDIR = root;
};
