import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { replaceDirAtomically } from '../../lib/output';

const MARKER = '.cdk8s-karpenter-soci';

/** An output folder written once by a swap, as a previous synth leaves it. */
function previousOutput(files: Record<string, string>): string {
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'unchanged-files-')), 'dist');
  replaceDirAtomically(dir, new Map(Object.entries(files)));
  return dir;
}

function inode(file: string): number {
  return fs.lstatSync(file).ino;
}

describe('a swap keeps the files whose bytes did not change', () => {
  test('GIVEN a previous output WHEN the next holds one changed file THEN the unchanged files are the same files, the changed one is new', () => {
    // GIVEN
    const dist = previousOutput({ 'a/same.yaml': 'kind: Same\n', 'a/changed.yaml': 'kind: Old\n', 'b/gone.yaml': 'kind: Gone\n' });
    const same = inode(path.join(dist, 'a/same.yaml'));
    const changed = inode(path.join(dist, 'a/changed.yaml'));

    // WHEN
    replaceDirAtomically(dist, new Map([['a/same.yaml', 'kind: Same\n'], ['a/changed.yaml', 'kind: New\n']]));

    // THEN the folder holds exactly the new files; the unchanged one was linked, not rewritten
    expect(fs.readdirSync(dist, { recursive: true }).map(String).sort()).toEqual([MARKER, 'a', 'a/changed.yaml', 'a/same.yaml']);
    expect(fs.readFileSync(path.join(dist, 'a/same.yaml'), 'utf8')).toBe('kind: Same\n');
    expect(fs.readFileSync(path.join(dist, 'a/changed.yaml'), 'utf8')).toBe('kind: New\n');
    expect(inode(path.join(dist, 'a/same.yaml'))).toBe(same);
    expect(inode(path.join(dist, 'a/changed.yaml'))).not.toBe(changed);
    // once the previous folder is gone, every file is its only link again
    expect(fs.lstatSync(path.join(dist, 'a/same.yaml')).nlink).toBe(1);
  });

  test('GIVEN an unchanged file that is also linked from outside WHEN swapped THEN it is written afresh and the outside file is untouched', () => {
    // GIVEN a previous file someone hard-linked elsewhere
    const dist = previousOutput({ 'a/shared.yaml': 'kind: Shared\n' });
    const outside = path.join(path.dirname(dist), 'outside.yaml');
    fs.linkSync(path.join(dist, 'a/shared.yaml'), outside);

    // WHEN
    replaceDirAtomically(dist, new Map([['a/shared.yaml', 'kind: Shared\n']]));

    // THEN the output shares nothing with the outside file
    expect(inode(path.join(dist, 'a/shared.yaml'))).not.toBe(inode(outside));
    expect(fs.lstatSync(outside).nlink).toBe(1);
    expect(fs.readFileSync(outside, 'utf8')).toBe('kind: Shared\n');
  });

  test('GIVEN a previous folder that is a symbolic link to elsewhere WHEN swapped THEN none of its files is reused', () => {
    // GIVEN dist/a pointing at a folder outside dist holding the same bytes
    const dist = previousOutput({ 'b/other.yaml': 'kind: Other\n' });
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'elsewhere-'));
    fs.writeFileSync(path.join(elsewhere, 'same.yaml'), 'kind: Same\n');
    fs.symlinkSync(elsewhere, path.join(dist, 'a'));

    // WHEN
    replaceDirAtomically(dist, new Map([['a/same.yaml', 'kind: Same\n'], ['b/other.yaml', 'kind: Other\n']]));

    // THEN dist/a is a real folder with a file of its own, and the file elsewhere is alone
    expect(fs.lstatSync(path.join(dist, 'a')).isDirectory()).toBe(true);
    expect(inode(path.join(dist, 'a/same.yaml'))).not.toBe(inode(path.join(elsewhere, 'same.yaml')));
    expect(fs.lstatSync(path.join(elsewhere, 'same.yaml')).nlink).toBe(1);
  });

  test('GIVEN an unchanged file made a symbolic link, or given other permissions WHEN swapped THEN it is written as a plain file with the usual mode', () => {
    // GIVEN
    const dist = previousOutput({ 'a/link.yaml': 'kind: Link\n', 'a/mode.yaml': 'kind: Mode\n' });
    const fresh = fs.lstatSync(path.join(dist, 'a/mode.yaml')).mode;
    const target = path.join(path.dirname(dist), 'target.yaml');
    fs.writeFileSync(target, 'kind: Link\n');
    fs.rmSync(path.join(dist, 'a/link.yaml'));
    fs.symlinkSync(target, path.join(dist, 'a/link.yaml'));
    fs.chmodSync(path.join(dist, 'a/mode.yaml'), 0o777);

    // WHEN
    replaceDirAtomically(dist, new Map([['a/link.yaml', 'kind: Link\n'], ['a/mode.yaml', 'kind: Mode\n']]));

    // THEN
    expect(fs.lstatSync(path.join(dist, 'a/link.yaml')).isFile()).toBe(true);
    expect(fs.lstatSync(path.join(dist, 'a/mode.yaml')).mode).toBe(fresh);
    expect(fs.readFileSync(target, 'utf8')).toBe('kind: Link\n');
  });
});

describe('a swap of exactly the output already there', () => {
  const FILES = { 'a/one.yaml': 'kind: One\n', 'b/two.yaml': 'kind: Two\n' };

  /** Inode and modification time of the folder and of everything in it. */
  function identityOf(dist: string): Record<string, string> {
    const entries = ['.', ...fs.readdirSync(dist, { recursive: true }).map(String)];
    return Object.fromEntries(entries.map((entry) => {
      const stat = fs.lstatSync(path.join(dist, entry));
      return [entry, `${stat.ino} ${stat.mtimeMs}`];
    }));
  }

  test('GIVEN a previous output WHEN the same files are swapped in THEN nothing is touched: the folder and every file are the same, unmodified', () => {
    // GIVEN
    const dist = previousOutput(FILES);
    const before = identityOf(dist);

    // WHEN
    replaceDirAtomically(dist, new Map(Object.entries(FILES)));

    // THEN
    expect(identityOf(dist)).toEqual(before);
    expect(fs.readdirSync(path.dirname(dist))).toEqual(['dist']);
  });

  test.each([
    ['a stray file', (dist: string) => fs.writeFileSync(path.join(dist, 'b/stray.yaml'), 'kind: Stray\n')],
    ['a missing file', (dist: string) => fs.rmSync(path.join(dist, 'b/two.yaml'))],
    ['a file given other permissions', (dist: string) => fs.chmodSync(path.join(dist, 'a/one.yaml'), 0o600)],
    ['a file edited to the same size', (dist: string) => fs.writeFileSync(path.join(dist, 'a/one.yaml'), 'kind: Eno\n')],
  ])('GIVEN the same output but %s WHEN swapped THEN the folder is replaced and holds exactly the files, with the usual mode', (_, change) => {
    // GIVEN
    const dist = previousOutput(FILES);
    const usual = fs.lstatSync(path.join(dist, 'b/two.yaml')).mode;
    const folder = fs.lstatSync(dist).ino;
    change(dist);

    // WHEN
    replaceDirAtomically(dist, new Map(Object.entries(FILES)));

    // THEN
    expect(fs.lstatSync(dist).ino).not.toBe(folder);
    expect(fs.readdirSync(dist, { recursive: true }).map(String).sort()).toEqual([MARKER, 'a', 'a/one.yaml', 'b', 'b/two.yaml']);
    for (const [file, content] of Object.entries(FILES)) {
      expect(fs.readFileSync(path.join(dist, file), 'utf8')).toBe(content);
      expect(fs.lstatSync(path.join(dist, file)).mode).toBe(usual);
    }
  });
});
