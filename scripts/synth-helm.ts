/**
 * `npm run synth:helm`: the Helm chart and a values file per cluster.
 *   npm run synth:helm                 # the whole synth: dist/ with dist/helm/ (one atomic write)
 *   npm run synth:helm -- --out DIR    # only the chart and the values files, into DIR
 */
import { main, writeHelmOutput } from '../main';

const USAGE = `usage: npm run synth:helm [-- --out DIR]

Writes the Helm chart karpenter-soci (built from the constructs) and a values file per cluster.
Without --out it runs the whole synth, because dist/helm/ is part of dist/, which is replaced in one
step with every cluster's folder and the GitOps objects. With --out DIR it writes only the chart
(DIR/karpenter-soci/) and the values files (DIR/values/), replacing DIR whole.

  --out DIR   write only the chart and the values files, into DIR
  --help      print this text
`;

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  process.stdout.write(USAGE);
} else if (args.length === 0) {
  main();
} else if (args.length === 2 && args[0] === '--out') {
  try {
    const files = writeHelmOutput(args[1]);
    console.error(`synth:helm: ${files.length} files -> ${args[1]}/`);
  } catch (err) {
    console.error(`synth:helm failed; ${args[1]}/ was left as it was.\n${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  }
} else {
  process.stderr.write(`synth:helm: unexpected arguments ${JSON.stringify(args)}\n\n${USAGE}`);
  process.exitCode = 2;
}
