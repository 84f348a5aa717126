import * as fc from 'fast-check';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Document, isSeq, parseDocument, Scalar, stringify, visit } from 'yaml';
import { readBlockYaml } from '../../lib/clusters/block-yaml';
import { loadClusters } from '../../lib/clusters';
import { AWKWARD_STRINGS } from '../support/awkward-strings';

const CLUSTERS = path.resolve(__dirname, '../../clusters');
const SEED = Number(process.env.FUZZ_SEED ?? 20261204);

/** What the loader gets from the library for `text`, or `undefined` when the library reports an error. */
function libraryValue(text: string): unknown {
  const doc = parseDocument(text);
  return doc.errors.length > 0 ? undefined : doc.toJS();
}

/** The reader agrees with the library: the same value, keys in the same order; or it declines. Returns whether it read the text. */
function expectReadAsLibraryOrDeclined(text: string): boolean {
  const read = readBlockYaml(text);
  if (read === undefined) return false;
  const expected = libraryValue(text);
  expect({ text, read }).toStrictEqual({ text, read: expected });
  expect({ text, order: JSON.stringify(read) }).toEqual({ text, order: JSON.stringify(expected) });
  return true;
}

describe('readBlockYaml (the fast path of cluster files)', () => {
  test('GIVEN every committed cluster file THEN it reads each exactly as the library does, and declines none', () => {
    const files = fs.readdirSync(CLUSTERS).filter((file) => file.endsWith('.yaml'));
    expect(files.length).toBeGreaterThanOrEqual(4);
    for (const file of files) {
      const text = fs.readFileSync(path.join(CLUSTERS, file), 'utf8');
      expect({ file, read: expectReadAsLibraryOrDeclined(text) }).toEqual({ file, read: true });
    }
  });

  test('GIVEN awkward strings as values, keys, sequence and flow items, plain or quoted THEN each is read as the library reads it, or declined', () => {
    let read = 0;
    for (const s of AWKWARD_STRINGS) {
      const single = `'${s.replace(/'/g, "''")}'`;
      const double = `"${s}"`;
      const texts = [
        `key: ${s}`, `key: ${single}`, `key: ${double}`, `key: ${s} # note`, `key: ${single}  # note`,
        `${s}: value`, `list:\n  - ${s}\n  - ${single}`, `list:\n- ${s}`, `flow: [${s}]`, `flow: [a, ${s}, ${double}]`, `flow: [${single}, b]`,
        `outer:\n  - name: ${s}\n    other: ${double}\n  - ${s}`,
      ];
      for (const text of texts) if (expectReadAsLibraryOrDeclined(text)) read++;
    }
    // Most of them are ordinary strings: the fast path must read a good share.
    expect(read).toBeGreaterThan(AWKWARD_STRINGS.length * 4);
  });

  test(`GIVEN random block documents with comments and flow lists (seed ${SEED}) THEN each is read as the library reads it, and most are read`, () => {
    // Mostly what cluster files hold (names, aliases, numbers), now and then something awkward, so that documents are read and compared.
    const awkward = fc.constantFrom(...AWKWARD_STRINGS);
    const word = fc.stringMatching(/^[a-z][a-z0-9.@:\/-]{0,20}$/);
    const text = fc.oneof({ arbitrary: word, weight: 12 }, awkward, fc.string(), fc.lorem({ mode: 'sentences' }));
    const scalar = fc.oneof({ arbitrary: text, weight: 4 }, fc.nat(), fc.integer(), fc.boolean(), fc.constant(null));
    const key = fc.oneof({ arbitrary: fc.stringMatching(/^[a-zA-Z_][\w.\/-]{0,15}$/), weight: 30 }, awkward, fc.string());
    const { map } = fc.letrec((tie) => ({
      value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, tie('list'), tie('map')),
      list: fc.array(tie('value'), { maxLength: 4 }),
      map: fc.dictionary(key, tie('value'), { minKeys: 1, maxKeys: 5 }),
    }));
    const style = fc.record({ indent: fc.constantFrom(2, 3, 4), indentSeq: fc.boolean(), flowLists: fc.boolean(), comments: fc.array(fc.nat(), { maxLength: 4 }) });
    let read = 0;
    let runs = 0;
    fc.assert(
      fc.property(map, style, (value, { indent, indentSeq, flowLists, comments }) => {
        runs++;
        if (expectReadAsLibraryOrDeclined(render(value, indent, indentSeq, flowLists, comments))) read++;
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 2000), seed: SEED },
    );
    // One awkward string anywhere sends a whole document to the library, so about a fifth are read and compared.
    expect(read / runs).toBeGreaterThan(0.15);
  });

  test('GIVEN the layouts people write by hand THEN each is read, as the library reads it', () => {
    const layouts = [
      'list:\n  -   name: a\n      role: b\n  -  c',
      'a:\n- x\n- y: 1\n  z:\n  - q\nb: 2',
      'a: # why\n  b: 1   \n\n  # between\n  c:   spaced value  \nd: [ x , "y" ,\'z\' ]  # trailing',
      'a:\n    b:\n        - c: 1\n          d: []\n    e: ~\nf:',
      'a: x#y\nb: x :y\nc: -x\nd: "x # y"\ne: \'it\'\'s\'\nf: 0\ng: 10Gi\nh: True\ni: null\nj: NULL',
    ];
    for (const text of layouts) expect({ text, read: expectReadAsLibraryOrDeclined(text) }).toEqual({ text, read: true });
  });

  test('GIVEN YAML outside the subset THEN it declines, and the library decides', () => {
    const outside = [
      'a: &x 1\nb: *x', 'a: !tag x', 'a: |\n  text', 'a: >\n  text', 'a: {b: 1}', 'a: plain\n  continued', 'a:\n\tb: 1', 'a: 1\na: 2',
      '%YAML 1.2\n---\na: 1', '---\na: 1', '- a', 'just a scalar', '  a: 1', 'a:\n  - - x', 'a:\n  -\n    b: 1', 'true: 1', '1: a', '__proto__: x',
      'a: 1.5', 'a: -1', 'a: 0x1f', 'a: 0o7', 'a: 1e3', 'a: .inf', 'a: 007', 'a: 12345678901234567', 'a: "x\\ny"', "a: 'open", 'a: [a, ]',
      'a: [a, [b]]', 'a: [a: b]', 'a: [x\n  , y]', 'a: b: c', 'a: x\r\nb: y', '\uFEFFa: 1', `${'k'.repeat(1025)}: v`,
    ];
    for (const text of outside) expect({ text, read: readBlockYaml(text) }).toEqual({ text, read: undefined });
  });

  test('GIVEN a cluster file the fast path declines (a flow mapping) WHEN loaded THEN the library reads it', () => {
    // GIVEN
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'block-yaml-'));
    const text = fs.readFileSync(path.join(CLUSTERS, 'my-cluster.yaml'), 'utf8').replace('    instanceStorePolicy: RAID0\n', '    instanceStorePolicy: RAID0\n    tags: {team: platform}\n');
    fs.writeFileSync(path.join(dir, 'my-cluster.yaml'), text);
    expect(readBlockYaml(text)).toBeUndefined();

    // WHEN
    const [cluster] = loadClusters(dir);

    // THEN
    expect(cluster.nodeClasses[0].tags).toEqual({ team: 'platform' });
  });
});

/** `value` as block YAML by the library, with leaf lists of scalars in flow style if asked, and comment lines inserted. */
function render(value: unknown, indent: number, indentSeq: boolean, flowLists: boolean, comments: readonly number[]): string {
  const doc = new Document(value);
  if (flowLists) {
    visit(doc, {
      Seq(_, node) {
        if (node.items.length > 0 && node.items.every((item) => item instanceof Scalar)) node.flow = true;
      },
    });
  }
  const lines = stringify(doc, { indent, indentSeq, lineWidth: 0 }).split('\n');
  for (const at of comments) {
    const line = lines[at % lines.length];
    lines.splice(at % lines.length, 0, `${' '.repeat(line.length - line.trimStart().length)}# comment ${at}`);
  }
  return lines.join('\n');
}

// The flow lists the renderer makes must really be flow sequences, or the random test would not cover them.
test('GIVEN the random documents\' renderer with flow lists THEN it writes flow sequences', () => {
  const text = render({ values: ['a', 'b'] }, 2, true, true, []);
  expect(text).toBe('values: [ a, b ]\n');
  expect(isSeq(parseDocument(text).get('values', true))).toBe(true);
});
