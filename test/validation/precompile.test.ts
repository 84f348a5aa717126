import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { parse } from '@bufbuild/cel';
import { celExpressions, evaluateCelRules, reviveParseTree, serializeParseTree } from '../../lib/validation/cel-rules';
import { PRECOMPILED_SCHEMAS, parseTreesSource, standaloneValidatorsSource } from '../../lib/validation/precompile';
import { createAjv, schemaHash } from '../../lib/validation/schema-validator';
import { ec2NodeClassCrdSchema, nodePoolCrdSchema } from '../../lib/validation/schemas';
import { Json, setAt, validNodeClass, validNodePool } from './fixtures';

const ROOT = path.resolve(__dirname, '../..');

/** Objects for each schema: valid ones and ones with one field wrong (schema and CEL violations). */
function samples(name: string): unknown[] {
  switch (name) {
    case 'NodePool':
      return [
        validNodePool(),
        setAt(validNodePool(), '/spec/weight', 101),
        setAt(validNodePool(), '/spec/template/spec/expireAfter', '3 days'),
        setAt(validNodePool(), '/spec/template/spec/nodeClassRef', { kind: 'EC2NodeClass' }),
        setAt(validNodePool(), '/spec/unknownField', true),
      ];
    case 'EC2NodeClass':
      return [
        validNodeClass(),
        setAt(validNodeClass(), '/spec/role', 42),
        setAt(validNodeClass(), '/spec/instanceStorePolicy', 'RAID1'),
        setAt(validNodeClass(), '/spec/metadataOptions/httpPutResponseHopLimit', 0),
        setAt(validNodeClass(), '/spec/instanceStorePolicyy', 'RAID0'),
      ];
    case 'NodeConfig':
      return [
        { apiVersion: 'node.eks.aws/v1alpha1', kind: 'NodeConfig', spec: { featureGates: { FastImagePull: true } } },
        { apiVersion: 'node.eks.aws/v1alpha2', kind: 'NodeConfig', spec: {} },
        { apiVersion: 'node.eks.aws/v1alpha1', kind: 'NodeConfig', spec: { FeatureGates: { FastImagePull: true } } },
      ];
    case 'ClusterFile':
      return [
        { name: 'c', nodeClasses: [{ name: 'n', role: 'r', discoveryTag: 'd' }], nodePools: [{ name: 'p', nodeClass: 'n' }] },
        { name: 'c', nodeClasses: [{ name: 'n', role: 'r', discoveryTag: 'd', bootstrap: { strategy: 'nativ' } }], nodePools: [] },
        { name: 'c', nodeClasses: 'none', nodePools: [{ name: 'p', weight: 101 }] },
      ];
    default:
      return [{}, { clusterName: 'c', nodeClasses: [], nodePools: [] }, { clusterName: 42, unknown: true }];
  }
}

/** What a finding is made of: everything but the schema objects themselves. */
function comparable(errors: readonly ErrorObject[] | null | undefined): unknown[] {
  return (errors ?? []).map(({ instancePath, schemaPath, keyword, params, message, data }) => ({ instancePath, schemaPath, keyword, params, message, data }));
}

describe('standalone validators (written by npm run build)', () => {
  let standalone: Record<string, ValidateFunction> & { schemaHashes: Record<string, string> };

  beforeAll(() => {
    // GIVEN the module npm run build writes, loaded from inside the project so it finds ajv's runtime
    const dir = fs.mkdtempSync(path.join(ROOT, 'node_modules', '.cache-precompile-test-'));
    const file = path.join(dir, 'standalone-validators.js');
    fs.writeFileSync(file, standaloneValidatorsSource());
    standalone = require(file);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test.each(Object.keys(PRECOMPILED_SCHEMAS))('GIVEN the %s schema WHEN valid and invalid objects are validated THEN the standalone validator answers exactly as one compiled at run time', (name) => {
    const compiled = createAjv().compile(PRECOMPILED_SCHEMAS[name]());
    const results = samples(name).map((value) => {
      const expected = { valid: compiled(value), errors: comparable(compiled.errors) };
      const actual = { valid: standalone[name](value), errors: comparable(standalone[name].errors) };
      return { expected, actual };
    });
    for (const { expected, actual } of results) expect(actual).toEqual(expected);
    // and the samples are not all valid (the comparison covers error reports)
    expect(results.some((r) => !r.expected.valid)).toBe(true);
  });

  test('GIVEN a schema changed after the build WHEN its hash is compared THEN it differs, so the stale validator is not used', () => {
    const schema = PRECOMPILED_SCHEMAS.NodePool();
    expect(standalone.schemaHashes.NodePool).toBe(schemaHash(schema));
    expect(schemaHash({ ...schema, required: ['spec', 'status'] })).not.toBe(standalone.schemaHashes.NodePool);
  });
});

describe('stored CEL parse trees (written by npm run build)', () => {
  const expressions = [...new Set([nodePoolCrdSchema(), ec2NodeClassCrdSchema()].flatMap(celExpressions))];

  test('GIVEN every rule and message expression of the CRDs WHEN stored and revived THEN the tree equals a fresh parse', () => {
    const stored = JSON.parse(parseTreesSource()) as { trees: Record<string, string> };
    expect(expressions.length).toBeGreaterThan(60);
    expect(Object.keys(stored.trees).sort()).toEqual([...expressions].sort());
    for (const expression of expressions) {
      expect(reviveParseTree(stored.trees[expression])).toEqual(parse(expression));
    }
  });

  test('GIVEN a tree with a bytes literal WHEN serialized THEN it is left to be parsed at run time', () => {
    expect(serializeParseTree(parse('self == b"abc"'))).toBeUndefined();
    // while a plain tree is stored, and revives to the same tree
    const plain = serializeParseTree(parse('self.size() > 1'));
    expect(typeof plain).toBe('string');
    expect(reviveParseTree(plain!)).toEqual(parse('self.size() > 1'));
  });
});

describe('CEL outcomes kept per content', () => {
  test('GIVEN a valid object, then one alike but for a field a rule refuses, then the valid one again WHEN evaluated THEN each gets its own result', () => {
    // GIVEN
    const valid = validNodeClass();
    const invalid: Json = setAt(validNodeClass(), '/spec/instanceProfile', 'KarpenterNodeInstanceProfile');
    // WHEN
    const first = evaluateCelRules(ec2NodeClassCrdSchema(), valid);
    const second = evaluateCelRules(ec2NodeClassCrdSchema(), invalid);
    const third = evaluateCelRules(ec2NodeClassCrdSchema(), structuredClone(valid));
    // THEN
    expect(first.violations).toEqual([]);
    expect(second.violations.map((v) => v.jsonPath)).toEqual(['/spec']);
    expect(third).toEqual(first);
  });

  test.each([
    ['NaN', NaN],
    ['Infinity', Infinity],
    ['-Infinity', -Infinity],
  ])('GIVEN an object with a null, then one alike but for %s in its place WHEN evaluated THEN they are told apart (JSON writes both as null)', (_name, number) => {
    // GIVEN rules, on the whole object and on a nested one, that hold while the field is unset (a null is, as in Kubernetes)
    const unset = (message: string) => [{ rule: '!has(self.a)', message }];
    const schema = {
      'type': 'object',
      'x-kubernetes-validations': unset('a must be unset'),
      'properties': { b: { 'type': 'object', 'x-kubernetes-validations': unset('b.a must be unset') } },
    };
    // WHEN
    const withNull = evaluateCelRules(schema, { a: null, b: { a: null } });
    const withNumber = evaluateCelRules(schema, { a: number, b: { a: number } });
    // THEN
    expect(withNull.violations).toEqual([]);
    expect(withNumber.violations.map((v) => v.message)).toEqual(['a must be unset', 'b.a must be unset']);
  });

  test('GIVEN strings that read like null in JSON text WHEN evaluated THEN each content gets its own result', () => {
    const schema = { 'type': 'object', 'x-kubernetes-validations': [{ rule: "self.a.endsWith('null')", message: 'a must end with null' }] };
    const results = ['/dev/null', 'x:null}', 'null', 'nul', '[null]'].map((a) => evaluateCelRules(schema, { a }).violations.length);
    expect(results).toEqual([0, 1, 0, 1, 1]);
  });
});
