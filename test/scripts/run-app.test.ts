import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
// The stamp module the launcher reads, run here in-process on each test's own project.
import * as buildStamp from '../../scripts/build-stamp.cjs';

const ROOT = path.resolve(__dirname, '../..');

/**
 * A small project laid out like this one: main.ts and lib/ compiled by tsconfig.build.json
 * into build/, whose main.js says it is the compiled app; main.ts says it is the source.
 */
function project(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'run-app-'));
  fs.mkdirSync(path.join(dir, 'scripts'));
  for (const script of ['run-app.mjs', 'build-stamp.cjs']) fs.copyFileSync(path.join(ROOT, 'scripts', script), path.join(dir, 'scripts', script));
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  const files: Record<string, string> = {
    'package.json': '{ "private": true }\n',
    'tsconfig.json': '{ "compilerOptions": { "module": "CommonJS" } }\n',
    'tsconfig.build.json': '{\n  // comments are allowed\n  "extends": "./tsconfig.json",\n  "compilerOptions": { "outDir": "build" },\n  "include": ["lib/**/*.ts", "main.ts"]\n}\n',
    'lib/answer.ts': 'export const ANSWER = 42;\n',
    'main.ts': "import * as fs from 'node:fs';\nexport function main(): void { fs.writeFileSync('ran.txt', 'source ' + process.argv.slice(2).join(' ')); }\nif (require.main === module) main();\n",
    'build/main.js': "exports.main = () => require('node:fs').writeFileSync('ran.txt', 'compiled');\n",
  };
  for (const [file, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), content);
  }
  return dir;
}

/** What `npm run build` does around tsc (build/ is written by hand here): `build-stamp.cjs snapshot`, then `commit`. */
function stamp(dir: string): void {
  buildStamp.main(['snapshot'], dir);
  buildStamp.main(['commit'], dir);
}

function runApp(dir: string, ...args: string[]): { ran: string | undefined; stderr: string; status: number | null } {
  fs.rmSync(path.join(dir, 'ran.txt'), { force: true });
  const result = spawnSync(process.execPath, ['scripts/run-app.mjs', ...args], { cwd: dir, encoding: 'utf8' });
  const ran = fs.existsSync(path.join(dir, 'ran.txt')) ? fs.readFileSync(path.join(dir, 'ran.txt'), 'utf8') : undefined;
  return { ran, stderr: result.stderr, status: result.status };
}

/** The launcher's verdict on build/, from the stamp module itself (no app runs). */
function freshness(dir: string): buildStamp.Freshness {
  return buildStamp.buildFreshness(dir);
}

/** Moves a file's modification time forward without changing its content. */
function touch(file: string): void {
  const later = new Date(Date.now() + 5_000);
  fs.utimesSync(file, later, later);
}

describe('scripts/run-app.mjs (npm run synth and cdk8s.yaml app)', () => {
  let dir: string;
  beforeEach(() => {
    dir = project();
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('GIVEN build/ stamped from the current sources WHEN run THEN the compiled app runs, quietly', () => {
    stamp(dir);
    expect(runApp(dir)).toEqual({ ran: 'compiled', stderr: '', status: 0 });
  });

  test('GIVEN a source saved again without changes WHEN checked THEN build/ is still current (content, not mtime, decides)', () => {
    stamp(dir);
    touch(path.join(dir, 'lib/answer.ts'));
    expect(freshness(dir)).toEqual({ fresh: true, outDir: 'build' });
  });

  test.each([
    ['a changed source', (d: string) => fs.writeFileSync(path.join(d, 'lib/answer.ts'), 'export const ANSWER = 43;\n'), 'lib/answer.ts changed since build/ was built'],
    ['a changed source of the same size', (d: string) => {
      fs.writeFileSync(path.join(d, 'lib/answer.ts'), 'export const ANSWER = 24;\n');
      touch(path.join(d, 'lib/answer.ts'));
    }, 'lib/answer.ts changed since build/ was built'],
    ['a new source', (d: string) => fs.writeFileSync(path.join(d, 'lib/more.ts'), 'export {};\n'), 'lib/more.ts is newer than build/'],
    ['a removed source', (d: string) => fs.rmSync(path.join(d, 'lib/answer.ts')), 'lib/answer.ts was removed since build/ was built'],
    ['a changed build config', (d: string) => fs.appendFileSync(path.join(d, 'tsconfig.json'), ' '), 'tsconfig.json changed since build/ was built'],
    ['a lockfile written after the build (other dependencies)', (d: string) => fs.writeFileSync(path.join(d, 'package-lock.json'), '{}\n'), 'package-lock.json is newer than build/'],
    ['no stamp', (d: string) => fs.rmSync(path.join(d, 'build/.sources.json')), 'build/ has no stamp'],
    ['a tsc that failed after the snapshot (no commit)', (d: string) => spawnSync(process.execPath, ['scripts/build-stamp.cjs', 'snapshot'], { cwd: d }), 'build/ has no stamp'],
  ])('GIVEN %s WHEN checked THEN build/ is stale, and the reason names it', (_case, change, reason) => {
    stamp(dir);
    change(dir);
    expect(freshness(dir)).toEqual({ fresh: false, reason: expect.stringContaining(reason) });
  });

  test('GIVEN a stale build/ WHEN run THEN main.ts runs through tsx, with its arguments, and one line says why', () => {
    stamp(dir);
    fs.writeFileSync(path.join(dir, 'lib/answer.ts'), 'export const ANSWER = 43;\n');
    const result = runApp(dir, '--flag');
    expect(result).toEqual({ ran: 'source --flag', status: 0, stderr: expect.stringContaining('lib/answer.ts changed since build/ was built') });
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  test('GIVEN a stale build/ and a main.ts that import()s TypeScript WHEN run THEN it runs (tsx\'s full loader, not only its require hook)', () => {
    stamp(dir);
    fs.writeFileSync(path.join(dir, 'main.ts'), "import * as fs from 'node:fs';\nimport('./lib/answer').then(({ ANSWER }) => fs.writeFileSync('ran.txt', `source ${ANSWER}`));\n");
    expect(runApp(dir)).toEqual({ ran: 'source 42', status: 0, stderr: expect.stringContaining('main.ts changed since build/ was built') });
  });

  test('GIVEN the bundle build/app.js WHEN run THEN it runs with a V8 code cache, written once, and a bad cache is only replaced', () => {
    // GIVEN a bundled app beside the compiled one, stamped current
    fs.writeFileSync(path.join(dir, 'build/app.js'), "exports.main = () => require('node:fs').writeFileSync('ran.txt', 'bundle');\n");
    stamp(dir);
    const cache = path.join(dir, 'build/app.js.cache');

    // WHEN run twice
    expect(runApp(dir)).toEqual({ ran: 'bundle', stderr: '', status: 0 });
    const written = fs.statSync(cache);
    expect(runApp(dir)).toEqual({ ran: 'bundle', stderr: '', status: 0 });

    // THEN the first run wrote the cache and the second used it as it was
    expect(written.size).toBeGreaterThan(0);
    expect(fs.statSync(cache).mtimeMs).toBe(written.mtimeMs);
    expect(fs.readdirSync(path.join(dir, 'build')).filter((f) => f.endsWith('.tmp'))).toEqual([]);

    // AND a cache that does not match is rejected by V8: the app still runs, and the cache is made again
    fs.writeFileSync(cache, 'not a code cache');
    expect(runApp(dir)).toEqual({ ran: 'bundle', stderr: '', status: 0 });
    expect(fs.readFileSync(cache).equals(Buffer.from('not a code cache'))).toBe(false);
  });

  test('GIVEN an app that is done WHEN run THEN the process ends at once, with the exit code the app set', () => {
    // GIVEN a bundle that sets exit code 3, and would write a file if the process were left to end by itself
    fs.writeFileSync(path.join(dir, 'build/app.js'), [
      "const fs = require('node:fs');",
      "exports.main = () => { fs.writeFileSync('ran.txt', 'bundle'); process.exitCode = 3; process.on('beforeExit', () => fs.writeFileSync('left.txt', '')); };",
      '',
    ].join('\n'));
    stamp(dir);

    // WHEN run THEN it ran, ended without waiting for the event loop to empty, and kept the code
    expect(runApp(dir)).toEqual({ ran: 'bundle', stderr: '', status: 3 });
    expect(fs.existsSync(path.join(dir, 'left.txt'))).toBe(false);
  });

  test('GIVEN an app that left work running (a timer) WHEN run THEN the process waits for it', () => {
    // GIVEN a bundle whose main returns before its timer writes the file
    fs.writeFileSync(path.join(dir, 'build/app.js'), "exports.main = () => { setTimeout(() => require('node:fs').writeFileSync('ran.txt', 'later'), 50); };\n");
    stamp(dir);

    // WHEN run THEN the timer ran before the process ended
    expect(runApp(dir)).toEqual({ ran: 'later', stderr: '', status: 0 });
  });

  test('GIVEN a bundle holding characters beyond ASCII WHEN run THEN they reach the app intact', () => {
    // GIVEN a bundle that is not the ASCII esbuild writes (read fast as Latin-1), but UTF-8
    fs.writeFileSync(path.join(dir, 'build/app.js'), "exports.main = () => require('node:fs').writeFileSync('ran.txt', 'bündle ✓ 🚀');\n");
    stamp(dir);

    // WHEN run THEN the app wrote exactly those characters
    expect(runApp(dir)).toEqual({ ran: 'bündle ✓ 🚀', stderr: '', status: 0 });
  });

  test('GIVEN --help WHEN run THEN usage only: no app runs', () => {
    stamp(dir);
    const result = spawnSync(process.execPath, ['scripts/run-app.mjs', '--help'], { cwd: dir, encoding: 'utf8' });
    expect(result.stdout).toMatch(/^Usage: /);
    expect(fs.existsSync(path.join(dir, 'ran.txt'))).toBe(false);
  });
});
