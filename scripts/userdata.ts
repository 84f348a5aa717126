/**
 * Prints (or writes) EC2 user data for a SOCI bootstrap:
 *   npm run -s userdata -- --strategy native --chunk-size 16mb
 * See lib/cli/userdata-cli.ts; this wrapper only does the I/O.
 */
import { writeFileSync } from 'fs';
import { runUserdataCli } from '../lib/cli/userdata-cli';
import { describeValue } from '../lib/errors';

const result = runUserdataCli(process.argv.slice(2));
let exitCode = result.exitCode;
let stderr = result.stderr;
if (result.file) {
  try {
    writeFileSync(result.file.path, result.file.content);
  } catch (error) {
    stderr = `--out: cannot write ${describeValue(result.file.path)}: ${(error as Error).message}\n`;
    exitCode = 1;
  }
}
process.stdout.write(result.stdout);
process.stderr.write(stderr);
process.exitCode = exitCode;
