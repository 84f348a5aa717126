/**
 * Prints the image-pull figures of an ImagePullBenchmark:
 *   npm run -s pull-report -- --namespace pull-benchmark --svg pulls.svg
 * See lib/benchmark/pull-report-cli.ts; this wrapper only does the I/O.
 */
import { runPullReport } from '../lib/benchmark/pull-report-cli';

const result = runPullReport(process.argv.slice(2));
process.stdout.write(result.stdout);
process.stderr.write(result.stderr);
process.exitCode = result.exitCode;
