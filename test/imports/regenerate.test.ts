import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const PINNED_CRDS = path.resolve(ROOT, '../shared/crds');

describe('imports/', () => {
  test('is exactly what `npm run import` generates from the pinned CRDs', () => {
    // GIVEN the pinned CRD files (sha256-checked by the script)
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'imports-'));

    // WHEN the types and schemas are generated again
    execFileSync(path.join(ROOT, 'node_modules/.bin/tsx'), ['scripts/import-crds.ts', '--from', PINNED_CRDS, '--out', out], { cwd: ROOT, stdio: 'pipe' });

    // THEN every committed file is byte-identical, and there is no other
    const committed = fs.readdirSync(path.join(ROOT, 'imports')).sort();
    expect(fs.readdirSync(out).sort()).toEqual(committed);
    for (const file of committed) {
      expect(fs.readFileSync(path.join(out, file), 'utf8')).toBe(fs.readFileSync(path.join(ROOT, 'imports', file), 'utf8'));
    }
  }, 60_000);

  test('refuses a CRD whose sha256 differs from the pinned one', () => {
    // GIVEN a copy of the pinned CRDs with one byte changed
    const from = fs.mkdtempSync(path.join(os.tmpdir(), 'crds-'));
    fs.cpSync(PINNED_CRDS, from, { recursive: true });
    fs.appendFileSync(path.join(from, 'karpenter.sh_nodepools.yaml'), '\n');

    // WHEN imported THEN it fails naming the file and the hashes, and writes nothing
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'imports-'));
    let stderr = '';
    try {
      execFileSync(path.join(ROOT, 'node_modules/.bin/tsx'), ['scripts/import-crds.ts', '--from', from, '--out', out], { cwd: ROOT, stdio: 'pipe' });
    } catch (err) {
      stderr = String((err as { stderr: Buffer }).stderr);
    }
    expect(stderr).toMatch(/karpenter\.sh_nodepools\.yaml: sha256 [0-9a-f]{64} does not match the pinned 3bb64a20/);
    expect(fs.readdirSync(out)).toEqual([]);
  }, 60_000);
});
