import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { renderDistFiles, synthesizeCharts } from '../../lib/output';
import { buildManyObjectsApp } from './fixtures/many-objects-app';

const ROOT = path.resolve(__dirname, '../..');
const APP = path.join(__dirname, 'fixtures', 'many-objects-app.ts');

interface Exit {
  readonly code: number | null;
  readonly stderr: string;
}

function treeOf(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  if (!fs.existsSync(dir)) return out;
  for (const e of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (e.isFile()) out.set(path.relative(dir, path.join(e.parentPath, e.name)), fs.readFileSync(path.join(e.parentPath, e.name), 'utf8'));
  }
  return out;
}

function synthProcess(cwd: string, run: string, barrier: string): Promise<Exit> {
  const child: ChildProcess = spawn(process.execPath, ['--require', 'tsx/cjs', APP], {
    cwd, env: { ...process.env, SYNTH_RUN: run, SYNTH_BARRIER: barrier }, stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stderr })));
}

/** How many files of `expected` `actual` holds with the same content. */
function matching(actual: Map<string, string>, expected: Map<string, string>): number {
  return [...expected].filter(([file, content]) => actual.get(file) === content).length;
}

describe('two synths of the same app at once', () => {
  test('dist/ ends up as exactly one run\'s complete output, and a run that reports success wrote all of it', async () => {
    // GIVEN a project with an app of 1,000 objects and two runs that tag their objects differently
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'concurrent-synth-'));
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(work, 'node_modules'));
    const expected = {
      a: renderDistFiles(synthesizeCharts(buildManyObjectsApp('a'))),
      b: renderDistFiles(synthesizeCharts(buildManyObjectsApp('b'))),
    };

    // WHEN both synthesize at the same moment: once both have built their app, they are let go together
    const barrier = fs.mkdtempSync(path.join(os.tmpdir(), 'synth-barrier-'));
    let ended = false;
    const runs = Promise.all([synthProcess(work, 'a', barrier), synthProcess(work, 'b', barrier)]).finally(() => (ended = true));
    while (!ended && !['ready-a', 'ready-b'].every((f) => fs.existsSync(path.join(barrier, f)))) await new Promise((r) => setTimeout(r, 10));
    fs.writeFileSync(path.join(barrier, 'go'), '');
    const [a, b] = await runs;

    // THEN dist/ is one run's output, whole
    const dist = treeOf(path.join(work, 'dist'));
    const complete = [expected.a, expected.b].filter((files) => matching(dist, files) === files.size && dist.size === files.size);
    if (complete.length !== 1) {
      throw new Error(`dist/ holds ${dist.size} files: ${matching(dist, expected.a)} of run a's ${expected.a.size}, ${matching(dist, expected.b)} of run b's ${expected.b.size}\n`
        + `run a (exit ${a.code}): ${a.stderr}\nrun b (exit ${b.code}): ${b.stderr}`);
    }
    // and both runs succeeded (the second waited for the first), each saying so
    for (const run of [a, b]) {
      expect(run.stderr).toMatch(/synth: 1000 objects in 5 chart\(s\) -> dist\//);
      expect(run.code).toBe(0);
    }
    // and no staging folder or lock is left behind
    expect(fs.readdirSync(work).sort()).toEqual(['dist', 'node_modules']);
  }, 60_000);
});
