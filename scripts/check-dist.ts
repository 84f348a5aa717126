/**
 * `npm run check`: is every generated output the repository commits what the
 * project generates now? Each output is rendered afresh into a temporary folder
 * and compared with the working tree, so nothing in the checkout is written:
 * uncommitted edits in dist/ survive a check.
 *
 *   npm run check                      # dist/ and the plugin bundle
 *   npm run check -- --diffs 10        # show up to 10 unified diffs per output
 *
 * A further output (another folder the project generates and commits) is one
 * more entry in OUTPUTS.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { synthToDist, validationGate } from '../lib/output';
import { CLUSTER_SCHEMA_FILE, readDist } from '../main';
import { renderClusterFileSchema } from '../lib/clusters';
import { bundlePlugin, PLUGIN_FILE } from './build-plugin';
import { compareFolders, describeDifferences, isSame, listFiles } from './compare-folders';

const ROOT = path.resolve(__dirname, '..');

/** One generated folder the repository commits, and how to render it afresh. */
export interface GeneratedOutput {
  /** The folder, relative to the project root (`dist`). */
  readonly dir: string;
  /** What it holds, for messages. */
  readonly description: string;
  /** The command that rewrites it in the checkout. */
  readonly regenerate: string;
  /**
   * Which files under `dir` the generator owns; others are left out of the comparison.
   * @default - every file
   */
  readonly owns?: (file: string) => boolean;
  /** Writes the fresh output into `into`, a folder that does not exist yet. */
  render(into: string): void;
}

export const OUTPUTS: readonly GeneratedOutput[] = [
  {
    dir: 'dist',
    description: 'the manifests, the Helm chart and the GitOps objects',
    regenerate: 'npm run synth',
    render: (into) => {
      // The same build, validation and rendering as npm run synth, without its warnings (the
      // question here is only whether dist/ is current). cdk8sOutdir equal to outdir keeps a
      // CDK8S_OUTDIR from the environment from receiving a second copy.
      const dist = readDist();
      synthToDist(dist.app, { outdir: into, cdk8sOutdir: into, check: validationGate(dist.app, { warn: () => undefined }), extraFiles: () => dist.extraFiles() });
    },
  },
  {
    dir: path.relative(ROOT, path.dirname(CLUSTER_SCHEMA_FILE)),
    description: 'the JSON Schema of cluster files',
    regenerate: 'npm run synth',
    owns: (file) => file === path.basename(CLUSTER_SCHEMA_FILE),
    render: (into) => {
      fs.mkdirSync(into, { recursive: true });
      fs.writeFileSync(path.join(into, path.basename(CLUSTER_SCHEMA_FILE)), renderClusterFileSchema());
    },
  },
  {
    dir: path.relative(ROOT, path.dirname(PLUGIN_FILE)),
    description: 'the validation plugin bundle',
    regenerate: 'npm run build:plugin',
    owns: (file) => file === path.basename(PLUGIN_FILE),
    render: (into) => {
      fs.mkdirSync(into, { recursive: true });
      fs.writeFileSync(path.join(into, path.basename(PLUGIN_FILE)), bundlePlugin());
    },
  },
];

/** The result of checking one output. */
export interface OutputCheck {
  readonly output: GeneratedOutput;
  readonly current: boolean;
  /** One line when current; the differing files and their diffs when not. */
  readonly report: string;
}

/** Renders `output` into a temporary folder and compares it with `<root>/<dir>`; `root` is never written. */
export function checkOutput(output: GeneratedOutput, root: string = ROOT, maxDiffs = 3): OutputCheck {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'check-output-'));
  try {
    const fresh = path.join(scratch, path.basename(output.dir));
    try {
      output.render(fresh);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      return { output, current: false, report: `${output.dir}/: could not render ${output.description} (${output.regenerate}):\n${message}\n` };
    }
    const committed = path.join(root, output.dir);
    const owned = (dir: string) => (output.owns ? filtered(dir, output.owns, scratch) : dir);
    const differences = compareFolders(owned(committed), owned(fresh));
    if (isSame(differences)) {
      return { output, current: true, report: `${output.dir}/ is current (${output.description}; ${output.regenerate} writes the same)\n` };
    }
    const header =
      `${output.dir}/ is stale: ${output.regenerate} writes something else ` +
      `(differs: other content; missing: written, not in ${output.dir}/; extra: in ${output.dir}/, no longer written)\n`;
    const footer = `Run ${output.regenerate} and commit ${output.dir}/.\n`;
    return { output, current: false, report: `${header}${describeDifferences(output.dir, owned(committed), owned(fresh), differences, maxDiffs)}${footer}` };
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

/** A copy of the files in `dir` that `owns` accepts, so that others are not compared. */
function filtered(dir: string, owns: (file: string) => boolean, scratch: string): string {
  const copy = fs.mkdtempSync(path.join(scratch, 'owned-'));
  for (const file of listFiles(dir).filter(owns)) {
    fs.mkdirSync(path.dirname(path.join(copy, file)), { recursive: true });
    fs.copyFileSync(path.join(dir, file), path.join(copy, file));
  }
  return copy;
}

const USAGE = `Usage: npm run check [-- --diffs N] [-- --root DIR]

Checks that every generated output the repository commits is what the project generates now:
${OUTPUTS.map((o) => `  ${`${o.dir}/`.padEnd(8)} ${o.description} (${o.regenerate})`).join('\n')}
Each is rendered into a temporary folder and compared; nothing in the checkout is written, so uncommitted
edits in dist/ survive. Prints which files differ, are missing or extra, and a unified diff of the first few.
Exit code 0 when everything is current, 1 otherwise.

  --diffs N    unified diffs to show per output (default 3)
  --root DIR   compare with the outputs under DIR instead of this checkout
  --help       print this text
`;

function flagValue(args: readonly string[], flag: string): string | undefined {
  const index = args.indexOf(flag);
  if (index < 0) return undefined;
  const value = args[index + 1];
  if (value === undefined || value.startsWith('--')) throw new Error(`${flag} needs a value`);
  return value;
}

function main(args: readonly string[]): number {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(USAGE);
    return 0;
  }
  const known = new Set(['--diffs', '--root']);
  const unknown = args.filter((arg, i) => arg.startsWith('-') && !known.has(arg) && !known.has(args[i - 1]));
  if (unknown.length > 0) throw new Error(`unknown option ${unknown[0]} (see --help)`);
  const diffs = Number(flagValue(args, '--diffs') ?? 3);
  if (!Number.isInteger(diffs) || diffs < 0) throw new Error(`--diffs needs a whole number, got ${flagValue(args, '--diffs')}`);
  const root = path.resolve(flagValue(args, '--root') ?? ROOT);

  const checks = OUTPUTS.map((output) => checkOutput(output, root, diffs));
  for (const check of checks) (check.current ? process.stdout : process.stderr).write(check.report);
  return checks.every((check) => check.current) ? 0 : 1;
}

if (require.main === module) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (err) {
    console.error(`check: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  }
}
