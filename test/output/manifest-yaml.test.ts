import { Yaml } from 'cdk8s';
import * as fc from 'fast-check';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse, stringify } from 'yaml';
import { fastManifestYaml, fastUnfoldedYaml, manifestYaml, unfoldedYaml } from '../../lib/output/manifest-yaml';
import { GENERATED_HEADER } from '../../lib/output/output-folder';
import { AWKWARD_STRINGS } from '../support/awkward-strings';

const DIST = path.resolve(__dirname, '../../dist');
const SEED = Number(process.env.FUZZ_SEED ?? 20261204);

/** Every object file of the committed cluster folders (the Helm chart and GitOps files are written by other code). */
function committedManifests(): string[] {
  return fs
    .readdirSync(DIST, { recursive: true })
    .map(String)
    .filter((file) => file.endsWith('.yaml') && !/^(helm|gitops)\//.test(file))
    .sort();
}

/** Each flavour of the writer: its fast path alone, the writer, and the library call it must equal. */
const FLAVOURS = [
  ['manifestYaml (cdk8s Yaml.stringify)', fastManifestYaml, manifestYaml, (doc: unknown) => Yaml.stringify(doc)],
  ['unfoldedYaml (yaml stringify, lineWidth 0)', fastUnfoldedYaml, unfoldedYaml, (doc: unknown) => stringify(doc, { lineWidth: 0 })],
] as const;

describe('the committed output, written again', () => {
  test('GIVEN every committed manifest WHEN written again THEN the fast writer covers it and gives its bytes', () => {
    const files = committedManifests();
    expect(files.length).toBeGreaterThan(20);
    for (const file of files) {
      // GIVEN the object as committed
      const text = fs.readFileSync(path.join(DIST, file), 'utf8');
      expect(text.startsWith(GENERATED_HEADER)).toBe(true);
      const object = parse(text, { version: '1.1' });

      // WHEN / THEN the fast path alone reproduces the file (no fallback hides a difference)
      expect({ file, yaml: fastManifestYaml(object) }).toEqual({ file, yaml: text.slice(GENERATED_HEADER.length) });
    }
  });

  test('GIVEN every committed Helm values file WHEN written again THEN the fast unfolded writer covers it and gives its bytes', () => {
    const files = ['helm/karpenter-soci/values.yaml', ...fs.readdirSync(path.join(DIST, 'helm/values')).map((f) => `helm/values/${f}`)];
    expect(files.length).toBeGreaterThan(1);
    for (const file of files) {
      const text = fs.readFileSync(path.join(DIST, file), 'utf8');
      const body = text.split('\n').slice(2).join('\n'); // the schema modeline and the generated header
      expect(text.startsWith('# yaml-language-server: $schema=')).toBe(true);
      expect({ file, yaml: fastUnfoldedYaml(parse(body)) }).toEqual({ file, yaml: body });
    }
  });
});

describe.each(FLAVOURS)('%s', (_flavour, fast, writer, library) => {
  test.each([
    ['a string', (s: string) => ({ v: s })],
    ['a key', (s: string) => ({ [s]: 1 })],
    ['a sequence item', (s: string) => [s]],
    ['a nested value', (s: string) => ({ spec: { list: [{ userData: s, other: 'x' }] } })],
  ])('GIVEN an awkward string as %s WHEN written THEN the bytes are the library\'s', (_case, wrap) => {
    for (const value of AWKWARD_STRINGS) {
      const doc = wrap(value);
      expect({ value, yaml: writer(doc) }).toEqual({ value, yaml: library(doc) });
    }
  });

  test('GIVEN shapes the fast writer leaves to the library WHEN written THEN it declines them, and the result is still the library\'s', () => {
    const shared = { a: 1 };
    const declined = [{ x: shared, y: shared }, { v: 1.5 }, { v: -0 }, { v: 2 ** 60 }, { v: undefined }, { v: 'a\nb\n\n' }, { v: '\n\n' }, { v: ' a\nb' }, ['a\nb'], 'root\nblock', { v: '%x' }];
    for (const doc of declined) {
      expect(fast(doc)).toBeUndefined();
      expect(writer(doc)).toBe(library(doc));
    }
  });

  test(`GIVEN random JSON documents (seed ${SEED}) WHEN written THEN the bytes are the library's, and most take the fast path`, () => {
    const awkward = fc.constantFrom(...AWKWARD_STRINGS);
    const text = fc.oneof(awkward, fc.string(), fc.stringMatching(/^[a-z][a-z0-9.\/-]{0,20}$/), fc.lorem({ mode: 'sentences' }));
    const scalar = fc.oneof(text, fc.integer(), fc.boolean(), fc.constant(null));
    const { value: doc } = fc.letrec((tie) => ({
      value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, tie('list'), tie('map')),
      list: fc.array(tie('value'), { maxLength: 4 }),
      map: fc.dictionary(fc.oneof(awkward, fc.stringMatching(/^[a-zA-Z][\w.\/-]{0,15}$/), fc.string()), tie('value'), { maxKeys: 5 }),
    }));
    let covered = 0;
    let runs = 0;
    fc.assert(
      fc.property(doc, (value) => {
        runs++;
        if (fast(value) !== undefined) covered++;
        expect(writer(value)).toBe(library(value));
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 2000), seed: SEED },
    );
    expect(covered / runs).toBeGreaterThan(0.5);
  });
});
