/**
 * For `npm run bench` only: preloaded (`node --require`) into the compiled app to
 * measure a synth without manifest validation, so the bench can report the share
 * validation takes. It replaces the validator's two entry points in build/, which
 * every check goes through (constructs at construction and at synth, the
 * validation gate), with ones that find nothing. It acts on build/lib/ (build/main.js);
 * the bundle build/app.js carries its own copies. Never use it to synthesize.
 */
const path = require('node:path');

const validator = require(path.join(process.cwd(), 'build', 'lib', 'validation', 'validate-manifests.js'));
validator.validateObject = () => [];
validator.validateManifests = () => ({ findings: [], errors: [], warnings: [], celRulesEvaluated: 0, celRulesSkipped: 0 });
