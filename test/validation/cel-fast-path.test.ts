/**
 * The CEL fast path against the CEL library: wherever the fast path answers true or false,
 * the library must answer the same, rule by rule, on objects generated from each rule's own
 * schema (with wrong types, absent fields and awkward strings mixed in).
 */
import { parse } from '@bufbuild/cel';
import { compileFastRule, re2Subset, UNDECIDED } from '../../lib/validation/cel-fast-path';
import { CelRule, evaluateCelRules, evaluateFast, evaluateWithLibrary, isTransitionRule, toCel } from '../../lib/validation/cel-rules';
import { SchemaNode, ec2NodeClassCrdSchema, nodePoolCrdSchema } from '../../lib/validation/schemas';

/** Every rule of both CRDs with the schema node it is declared on. */
function rulesWithSchemas(): Array<{ rule: CelRule; schema: SchemaNode }> {
  const found: Array<{ rule: CelRule; schema: SchemaNode }> = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!node || typeof node !== 'object') return;
    const schema = node as SchemaNode;
    for (const rule of (schema['x-kubernetes-validations'] as CelRule[] | undefined) ?? []) found.push({ rule, schema });
    Object.values(schema).forEach(visit);
  };
  visit(ec2NodeClassCrdSchema());
  visit(nodePoolCrdSchema());
  return found;
}

/** A small seeded generator (mulberry32), so a failure names a sample that can be made again. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const STRINGS = [
  '', 'a', 'In', 'NotIn', 'Exists', 'Gt', 'Lt', 'Gte', 'Lte', '0', '5', '-1', '+5', '007', ' 5', '-0', '9223372036854775808', '1.5',
  'al2023@latest', 'al2@v20240101', 'bottlerocket@v1.44.0', 'windows2019@latest', 'windows2022@v1', 'windows2025@latest', 'ubuntu@1', 'al2023', '@', '@latest',
  'AL2023', 'AL2', 'Bottlerocket', 'Custom', 'Windows2019', 'interface', 'efa-only', 'cpu', 'memory', 'pid', 'ephemeral-storage', 'memory.available', 'nodefs.available',
  'kubernetes.io/hostname', 'kubernetes.io/arch', 'karpenter.sh/nodepool', 'karpenter.sh/capacity-type', 'karpenter.sh/nodeclaim', 'team.karpenter.sh/x', 'karpenter.sh',
  'kubernetes.io/cluster/blue', 'karpenter.k8s.aws/instance-tenancy', 'karpenter.k8s.aws/ec2nodeclass', 'karpenter.k8s.aws/instance-cpu', 'eks:eks-cluster-name',
  '-x', 'a@b\rc', 'a@\n', 'x@\u2028', 'ä@ö', '🚀@x', 'x@🚀', '\ud800@x', 'snap-123', 'subnet-1', 'latest',
];
const INTEGERS = [0, 1, 2, 5, -1, 100, 2 ** 53];
const KEYS = ['cpu', 'memory', 'nodes', 'pid', 'a', '', 'kubernetes.io/cluster/x', 'karpenter.sh/nodepool', 'eks:eks-cluster-name', 'memory.available', 'team'];
const WRONG = [7, -3, 2.5, 'text', true, false, [], {}, ['x'], { a: 1 }];

function pick<T>(next: () => number, items: readonly T[]): T {
  return items[Math.floor(next() * items.length)]!;
}

/** Strings a rule is about (its own literals, and near misses of them), so both of its outcomes come up. */
function stringsOf(expression: string): string[] {
  const literals = [...expression.matchAll(/'([^']*)'|"([^"]*)"/g)].map((m) => m[1] ?? m[2]!);
  return literals.flatMap((literal) => [literal, `${literal}@latest`, `${literal}@v1`, `${literal}/a`, `x.${literal}`, literal.toUpperCase()]);
}

interface Pools {
  readonly strings: readonly string[];
  readonly keys: readonly string[];
}

function poolsFor(expression: string): Pools {
  const own = stringsOf(expression);
  return { strings: [...STRINGS, ...own, ...own], keys: [...KEYS, ...own, ...own] };
}

/** A JSON value shaped by `schema` most of the time, and something else some of the time. */
function sample(schema: SchemaNode, next: () => number, pools: Pools, depth = 0): unknown {
  if (next() < 0.07) return pick(next, WRONG);
  if (Array.isArray(schema.enum) && next() < 0.8) return pick(next, schema.enum);
  if (schema['x-kubernetes-int-or-string']) return next() < 0.5 ? pick(next, INTEGERS) : pick(next, pools.strings);
  switch (schema.type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      const required = new Set((schema.required as string[] | undefined) ?? []);
      const properties = (schema.properties ?? {}) as Record<string, SchemaNode>;
      for (const [key, sub] of Object.entries(properties)) {
        if (depth < 6 && next() < (required.has(key) ? 0.9 : 0.5)) out[key] = sample(sub, next, pools, depth + 1);
      }
      const additional = schema.additionalProperties;
      if (additional && typeof additional === 'object') {
        const count = Math.floor(next() * 4);
        for (let i = 0; i < count; i++) out[pick(next, pools.keys)] = sample(additional as SchemaNode, next, pools, depth + 1);
      }
      return out;
    }
    case 'array': {
      const count = Math.floor(next() * 4);
      return Array.from({ length: count }, () => sample((schema.items ?? {}) as SchemaNode, next, pools, depth + 1));
    }
    case 'string':
      return pick(next, pools.strings);
    case 'integer':
      return pick(next, INTEGERS);
    case 'number':
      return pick(next, [0.5, 1, -2, 3]);
    case 'boolean':
      return next() < 0.5;
    default:
      return pick(next, [...pools.strings, ...INTEGERS]);
  }
}

const SAMPLES_PER_RULE = 400;

describe('the CEL fast path against the CEL library', () => {
  const rules = rulesWithSchemas().filter(({ rule }) => !isTransitionRule(rule));

  test('GIVEN the CRDs THEN every rule but the transition rules is covered by the fast path', () => {
    expect(rules.length).toBe(71);
    const uncovered = rules.filter(({ rule }) => compileFastRule(parse(rule.rule)) === undefined).map(({ rule }) => rule.rule);
    expect(uncovered).toEqual([]);
  });

  test.each(rules.map(({ rule, schema }, index) => [index, rule.rule, schema] as const))(
    'rule %i: %s — where the fast path answers (true for some samples, false for others), the library answers the same',
    (index, expression, schema) => {
      const next = random(1_000 + index);
      const pools = poolsFor(expression);
      const counts = { true: 0, false: 0, undecided: 0 };
      const disagreements: unknown[] = [];
      for (let i = 0; i < SAMPLES_PER_RULE; i++) {
        const value = sample(schema, next, pools);
        const self = toCel(value);
        const fast = evaluateFast(expression, self);
        if (fast === UNDECIDED || fast === undefined) {
          counts.undecided++;
          continue;
        }
        counts[String(fast) as 'true' | 'false']++;
        const library = evaluateWithLibrary(expression, self);
        if (library !== fast) disagreements.push({ value, fast, library: library instanceof Error ? library.message : library });
      }
      expect(disagreements.slice(0, 3)).toEqual([]);
      // The fast path answers most samples (it is the path a synth takes), both ways, so the comparison is not vacuous.
      expect(counts.true + counts.false).toBeGreaterThan(SAMPLES_PER_RULE / 2);
      expect(counts.true).toBeGreaterThan(0);
      expect(counts.false).toBeGreaterThan(0);
    },
  );
});

describe('the fast path on its own cases', () => {
  /** [expression, self (JSON), what CEL answers]: the fast path must answer it, or leave it to the library. */
  const CASES: ReadonlyArray<readonly [string, unknown, boolean | 'undecided']> = [
    ["self.matches('^[a-zA-Z0-9]+@.+$')", 'al2023@latest', true],
    ["self.matches('^[a-zA-Z0-9]+@.+$')", 'al2023@', false],
    // RE2's `.` is anything but \n: \r and U+2028 match, which JavaScript's `.` alone would not
    ["self.matches('^[a-zA-Z0-9]+@.+$')", 'a@\r', true],
    ["self.matches('^[a-zA-Z0-9]+@.+$')", 'a@\u2028', true],
    ["self.matches('^[a-zA-Z0-9]+@.+$')", 'a@\n', false],
    ["self.split('@')[0] in ['al2', 'al2023']", 'al2023@v1', true],
    ["self.split('@')[1] == 'latest'", 'al2023', 'undecided'], // index out of range: an error in CEL
    ["self.find('^[^@]+') == 'al2'", 'al2@x', true],
    ['int(self) >= 0', '5', true],
    ['int(self) >= 0', '-5', false],
    ['int(self) >= 0', '+5', 'undecided'],
    ['int(self) >= 0', 'five', 'undecided'],
    ['self.size() == 3', 'abc', true],
    ['self.size() == 3', 'a@b', true],
    ['self.size() == 1', '🚀', 'undecided'], // one code point, two UTF-16 units
    ['has(self.a)', 'text', 'undecided'], // not a map: the library answers (false)
    ['self.all(k, k != "")', { a: 1, b: 2 }, true],
    ['self.all(k, k != "b")', { a: 1, b: 2 }, false],
    ['self.exists(x, x == 2)', [1, 2], true],
    ['self.filter(x, x > 1).size() == 2', [1, 2, 3], true],
    ["has(self.a) && self.a == 'x'", { a: 'x' }, true],
    ["has(self.a) && self.a == 'x'", { b: 'x' }, false],
    ["self.a == 'x'", { b: 'x' }, 'undecided'], // no such key
    ["self == 'x'", 1, 'undecided'], // int against string: left to the library
    ["false && self.a == 'x'", { b: 1 }, false],
    ["self.a == 'x' || true", { b: 1 }, 'undecided'], // CEL absorbs the error; the library says so
    ['self.constructor == 1', {}, 'undecided'],
  ];

  test.each(CASES)('%s with %j', (expression, json, expected) => {
    const self = toCel(json);
    const fast = evaluateFast(expression, self);
    expect(fast === UNDECIDED ? 'undecided' : fast).toBe(expected);
    if (expected !== 'undecided') expect(evaluateWithLibrary(expression, self)).toBe(expected);
  });

  test('GIVEN patterns beyond the plain subset THEN they are not translated, and a rule using one is left to the library', () => {
    for (const pattern of ['a|b', '\\d+', 'a{2}', '(?i)a', '[[:alpha:]]', 'a$b', 'a^']) expect(() => re2Subset(pattern)).toThrow();
    expect(compileFastRule(parse("self.matches('\\\\d+')"))).toBeUndefined();
    expect(re2Subset('^[a-z0-9-]+.x$').source).toBe('^[a-z0-9-]+[^\\n]x$');
  });
});

describe('rules the fast path cannot take', () => {
  test('GIVEN a rule that does not parse WHEN evaluated THEN the library path reports it as before, as a violation that says why', () => {
    const rule = { rule: 'self.a ==', message: 'broken rule' };
    const schema = { type: 'object', 'x-kubernetes-validations': [rule] } as SchemaNode;
    const { violations } = evaluateCelRules(schema, { a: 1 });
    expect(violations).toHaveLength(1);
    expect(violations[0]!.message).toMatch(/^broken rule \(the rule could not be evaluated: .+\)$/);
  });
});
