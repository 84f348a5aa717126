import { mergeTomlTables, parseUserToml, renderToml } from '../../lib/userdata/toml';
import { ConfigError } from '../../lib/errors';
import { inspectWithPython } from '../support/python';

describe('TOML helpers', () => {
  test('renderToml keeps insertion order, quotes dotted keys and ends in one newline; tomllib reads it back', () => {
    // GIVEN
    const doc = { z: 1, a: { 'io.containerd.cri.v1.images': { snapshotter: 'soci', list: ['-d', '-c'] } }, b: { quote: 'say "hi"\n' } };
    // WHEN
    const text = renderToml(doc);
    // THEN
    expect(text).toBe('z = 1\n\n[a."io.containerd.cri.v1.images"]\nsnapshotter = "soci"\nlist = [ "-d", "-c" ]\n\n[b]\nquote = "say \\"hi\\"\\n"\n');
    const [parsed] = inspectWithPython({ toml: [text] }).toml;
    expect(parsed).toEqual({ ok: true, value: doc });
  });

  test('mergeTomlTables merges tables, keeps identical values and reports differing leaves', () => {
    const { merged, conflicts } = mergeTomlTables(
      { s: { a: 1, t: { x: 'same' } }, k: true },
      { s: { b: 2, t: { x: 'same', y: 3 } }, k: false, n: { m: 1 } },
    );
    expect(merged).toEqual({ s: { a: 1, t: { x: 'same', y: 3 }, b: 2 }, k: true, n: { m: 1 } });
    expect(conflicts).toEqual([{ path: 'k', existing: true, incoming: false }]);
  });

  test('mergeTomlTables does not modify its inputs', () => {
    const base = { s: { a: 1 } };
    mergeTomlTables(base, { s: { b: 2 } });
    expect(base).toEqual({ s: { a: 1 } });
  });

  test('parseUserToml turns syntax errors into a ConfigError naming where and the field', () => {
    const attempt = () => parseUserToml('Where', 'field', 'a = \n');
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow('Where: field "a = " is invalid: valid TOML is required');
  });
});
