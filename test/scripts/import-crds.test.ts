import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PINNED_CRDS } from '../../scripts/import-crds';

const ROOT = path.resolve(__dirname, '../..');

// The byte-for-byte comparison of imports/ with a fresh import needs the upstream CRD files, which
// the repository does not carry: `npm run check:imports` runs it (.ci/run, with the CI's local copies).

describe('npm run import / check:imports', () => {
  test('refuse a CRD whose sha256 is not the pinned one, naming the file and both hashes, and write nothing', () => {
    // GIVEN a folder whose NodePool CRD is not the pinned file
    const from = fs.mkdtempSync(path.join(os.tmpdir(), 'crds-'));
    fs.writeFileSync(path.join(from, 'karpenter.sh_nodepools.yaml'), 'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n');
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'imports-'));

    // WHEN imported from it
    const result = spawnSync(process.execPath, ['--require', 'tsx/cjs', 'scripts/import-crds.ts', '--from', from, '--out', out], { cwd: ROOT, encoding: 'utf8' });

    // THEN it fails before generating anything
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/karpenter\.sh_nodepools\.yaml: sha256 [0-9a-f]{64} does not match the pinned 3bb64a20c807/);
    expect(fs.readdirSync(out)).toEqual([]);
  }, 30_000);

  test('the committed imports/ name the pinned URL, version and sha256 of the CRD they were generated from', () => {
    // GIVEN the pinned list the script checks downloads against
    for (const crd of PINNED_CRDS) {
      // WHEN the generated types and schema are read
      const types = fs.readFileSync(path.join(ROOT, 'imports', `${crd.group}.ts`), 'utf8');
      const schema = JSON.parse(fs.readFileSync(path.join(ROOT, 'imports', `${crd.group}.schema.json`), 'utf8'));

      // THEN both carry the same provenance (a re-pin without npm run import shows here)
      expect(types.split('\n').slice(0, 2)).toEqual([`// Source: ${crd.url}`, `// Version: ${crd.version}, sha256 ${crd.sha256}`]);
      expect(schema.$comment).toContain(`from ${crd.url} (${crd.version}, sha256 ${crd.sha256})`);
    }
  });

  test('CI compares imports/ with a fresh import from its local CRD copies', () => {
    // GIVEN the CI script
    const ci = fs.readFileSync(path.join(ROOT, '.ci/run'), 'utf8');

    // THEN it runs the byte-for-byte check that npm test leaves out
    expect(ci).toMatch(/^\s*npm run (-s )?check:imports -- --from \.\.\/shared\/crds\b/m);
  });
});
