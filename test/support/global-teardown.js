/** jest globalTeardown: removes the run's temporary folder (see test/support/global-setup.js). */
const fs = require('node:fs');

module.exports = async function removeTestTempRoot() {
  const root = process.env.CDK8S_KARPENTER_SOCI_TEST_TMPDIR;
  if (root) fs.rmSync(root, { recursive: true, force: true });
};
