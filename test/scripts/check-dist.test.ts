import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkOutput, OUTPUTS } from '../../scripts/check-dist';
import { listFiles } from '../../scripts/compare-folders';

const ROOT = path.resolve(__dirname, '../..');

/** Every file under `dir` with its content, to prove a folder was not touched. */
function contents(dir: string): Record<string, string> {
  return Object.fromEntries(listFiles(dir).map((file) => [file, fs.readFileSync(path.join(dir, file), 'utf8')]));
}

describe('npm run check', () => {
  let root: string;

  beforeAll(() => {
    // GIVEN a checkout-like folder holding the outputs this checkout commits
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'check-root-'));
    for (const output of OUTPUTS) fs.cpSync(path.join(ROOT, output.dir), path.join(root, output.dir), { recursive: true });
  });

  test('GIVEN the committed outputs THEN every output is reported current (npm run synth and npm run build:plugin rewrite them)', () => {
    const checks = OUTPUTS.map((output) => checkOutput(output, root));
    expect(checks.map((check) => [check.output.dir, check.current])).toEqual(OUTPUTS.map((output) => [output.dir, true]));
  }, 60_000);

  test('GIVEN an edited, a deleted and an added file in dist/ THEN exit 1 naming each with a diff, and dist/ keeps the edits', () => {
    // GIVEN uncommitted edits in dist/
    const dist = path.join(root, 'dist');
    const [edited, deleted] = listFiles(dist).filter((file) => file.endsWith('.yaml') && !file.endsWith('kustomization.yaml'));
    fs.appendFileSync(path.join(dist, edited), '# hand edit\n');
    fs.rmSync(path.join(dist, deleted));
    fs.writeFileSync(path.join(dist, 'notes.txt'), 'not generated\n');
    const before = contents(dist);

    // WHEN the check runs on that folder
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/check-dist.ts', '--root', root], { cwd: ROOT, encoding: 'utf8' });

    // THEN it fails, listing the three files, with a unified diff of the edit
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('dist/ is stale: npm run synth writes something else');
    expect(result.stderr).toContain(`  differs  dist/${edited}\n`);
    expect(result.stderr).toContain(`  missing  dist/${deleted}\n`);
    expect(result.stderr).toContain('  extra    dist/notes.txt\n');
    expect(result.stderr).toContain(`--- dist/${edited} (committed)\n+++ dist/${edited} (fresh)\n`);
    expect(result.stderr).toMatch(/^-# hand edit$/m);
    expect(result.stdout).toContain('plugin/ is current');
    // AND dist/ is exactly as the user left it
    expect(contents(dist)).toEqual(before);
  }, 60_000);

  test('GIVEN a stale plugin bundle THEN the plugin output is reported stale', () => {
    const plugin = OUTPUTS.find((output) => output.dir === 'plugin')!;
    const bundle = path.join(root, 'plugin', 'karpenter-soci-validation.js');
    fs.appendFileSync(bundle, '\n// edited\n');
    const check = checkOutput(plugin, root);
    expect(check.current).toBe(false);
    expect(check.report).toContain('  differs  plugin/karpenter-soci-validation.js\n');
    expect(check.report).toContain('Run npm run build:plugin and commit plugin/.');
  }, 60_000);
});
