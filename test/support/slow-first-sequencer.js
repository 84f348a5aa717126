/**
 * Jest's own order, with a head start for a fresh clone. Jest runs the slowest suites first
 * when its cache holds their durations from an earlier run. Without one (a fresh clone, CI)
 * it falls back to file size, and short files that run long processes (the type-check, the
 * team app, the node sandboxes) start last, leaving one core idle at the end. A suite without
 * a measured duration gets its estimate from this table (seconds on 2 cores, rough: only the
 * order matters), or one second.
 */
const path = require('node:path');
const Sequencer = require('@jest/test-sequencer').default;

const ROOT = path.resolve(__dirname, '../..');

const ESTIMATED_SECONDS = {
  'test/team-app/team-app.test.ts': 20,
  'test/node-run/manual-install.test.ts': 14,
  'test/app-failure.test.ts': 10,
  'test/scripts/run-app.test.ts': 4,
  'test/typecheck.test.ts': 7,
  'test/validation/plugin.test.ts': 6,
  'test/scripts/script-help.test.ts': 6,
  'test/scripts/check-dist.test.ts': 5,
  'test/node-run/native-tuning.test.ts': 4,
  'test/output/concurrent-synth.test.ts': 4,
  'test/scripts/cdk8s-synth-quiet.test.ts': 3,
  'test/helm/helm-chart.test.ts': 3,
  'test/gitops/gitops.test.ts': 3,
  'test/validation/cel-fast-path.test.ts': 3,
  'test/bootstrap/rendered-user-data.test.ts': 2,
  'test/node-run/renderers.test.ts': 2,
  'test/cli/userdata-cli.test.ts': 2,
  'test/benchmark/pull-report.test.ts': 2,
  'test/clusters/block-yaml.test.ts': 2,
  'test/output/manifest-yaml.test.ts': 2,
};

class SlowFirstSequencer extends Sequencer {
  time(test) {
    const measured = super.time(test);
    if (measured != null) return measured;
    return (ESTIMATED_SECONDS[path.relative(ROOT, test.path).split(path.sep).join('/')] ?? 1) * 1000;
  }
}

module.exports = SlowFirstSequencer;
