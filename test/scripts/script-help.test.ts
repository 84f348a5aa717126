import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { listFiles } from '../../scripts/compare-folders';

const ROOT = path.resolve(__dirname, '../..');
const SKIPPED = new Set(['node_modules', '.git', 'build', '.cdk8s.out']);

/** npm scripts that run one file of scripts/ (`tsx scripts/x.ts ...`), by name. */
function scriptCommands(): Record<string, string> {
  const { scripts } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  return Object.fromEntries(Object.entries(scripts).filter(([, command]) => /^(tsx|node( --import tsx| --require tsx\/cjs)?) scripts\/[\w-]+\.(ts|mjs)\b[^&|;]*$/.test(command)));
}

/** Every file in `dir` with its content and mode. */
function state(dir: string): Record<string, string> {
  return Object.fromEntries(
    listFiles(dir).map((file) => {
      const full = path.join(dir, file);
      return [file, `${fs.lstatSync(full).mode} ${fs.lstatSync(full).isSymbolicLink() ? fs.readlinkSync(full) : fs.readFileSync(full, 'base64')}`];
    }),
  );
}

/** Runs the script's command with `--help` appended, as `npm run <script> -- --help` does (without npm's own start-up). */
function run(cwd: string, script: string, command: string): Promise<{ script: string; status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const env = { ...process.env, CI: 'true', PATH: `${path.join(cwd, 'node_modules/.bin')}${path.delimiter}${process.env.PATH}` };
    const child = spawn('sh', ['-c', `${command} --help`], { cwd, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('close', (status) => resolve({ script, status, stdout, stderr }));
  });
}

describe('every npm script that runs a file of scripts/ answers --help', () => {
  test('with exit code 0 and a usage line, and without changing a file of the project', async () => {
    // GIVEN a copy of the project (scripts resolve the project from their own path, so they act on the copy)
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'script-help-'));
    fs.cpSync(ROOT, copy, { recursive: true, filter: (source) => !SKIPPED.has(path.relative(ROOT, source).split(path.sep)[0]) });
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(copy, 'node_modules'));
    const commands = scriptCommands();
    const scripts = Object.keys(commands);
    expect(scripts).toEqual(expect.arrayContaining(['import', 'check:imports', 'build:plugin', 'bench', 'userdata', 'check']));
    const before = state(copy);

    // WHEN each runs with --help: npm run check first, which loads the most, so the others find lib/ in tsx's cache
    const first = scripts.includes('check') ? ['check'] : [];
    const results = [
      ...(await Promise.all(first.map((script) => run(copy, script, commands[script])))),
      ...(await Promise.all(scripts.filter((script) => !first.includes(script)).map((script) => run(copy, script, commands[script])))),
    ];

    // THEN each prints its usage and exits 0, and the project is as it was
    const failures = results
      .filter((result) => result.status !== 0 || !/^usage: /im.test(result.stdout) || result.stderr !== '')
      .map((result) => ({ script: result.script, status: result.status, stdout: result.stdout.slice(0, 200), stderr: result.stderr.slice(0, 200) }));
    expect(failures).toEqual([]);
    expect(state(copy)).toEqual(before);
  }, 120_000);
});
