import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { compareFolders, describeDifferences, isSame } from '../../scripts/compare-folders';

function folder(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'compare-'));
  for (const [file, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), content);
  }
  return dir;
}

describe('compareFolders / describeDifferences', () => {
  test('GIVEN a changed, a missing and an extra file THEN each is named, with a unified diff of the change', () => {
    // GIVEN
    const committed = folder({ 'a/same.yaml': 'x: 1\n', 'a/changed.yaml': 'replicas: 1\nname: a\n', 'a/old.yaml': 'gone: true\n' });
    const fresh = folder({ 'a/same.yaml': 'x: 1\n', 'a/changed.yaml': 'replicas: 2\nname: a\n', 'a/new.yaml': 'new: true\n' });

    // WHEN
    const differences = compareFolders(committed, fresh);
    const report = describeDifferences('dist', committed, fresh, differences);

    // THEN
    expect(differences).toEqual({ changed: ['a/changed.yaml'], missing: ['a/new.yaml'], extra: ['a/old.yaml'] });
    expect(isSame(differences)).toBe(false);
    expect(report).toContain('  differs  dist/a/changed.yaml\n  missing  dist/a/new.yaml\n  extra    dist/a/old.yaml\n');
    expect(report).toContain('--- dist/a/changed.yaml (committed)\n+++ dist/a/changed.yaml (fresh)\n@@ -1,2 +1,2 @@\n-replicas: 1\n+replicas: 2\n name: a\n');
    expect(report).toContain('+++ dist/a/new.yaml (fresh)\n@@ -0,0 +1 @@\n+new: true\n');
  });

  test('GIVEN more differing files than diffs to show THEN the rest are counted', () => {
    const committed = folder({ '1': 'a\n', '2': 'a\n', '3': 'a\n' });
    const fresh = folder({ '1': 'b\n', '2': 'b\n', '3': 'b\n' });
    const report = describeDifferences('out', committed, fresh, compareFolders(committed, fresh), 2);
    expect(report.match(/^\+\+\+ /gm)).toHaveLength(2);
    expect(report).toContain('(1 more file(s) differ; diffs of the first 2 shown)');
  });

  test('GIVEN identical folders THEN there is no difference', () => {
    expect(isSame(compareFolders(folder({ 'x/y': '1' }), folder({ 'x/y': '1' })))).toBe(true);
  });
});
