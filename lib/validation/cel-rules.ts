/**
 * Evaluates the CRDs' `x-kubernetes-validations` CEL rules offline, the way
 * the API server does on create: each rule runs with `self` bound to the node
 * of the object where the rule is declared, and rules on absent fields do not
 * run. Rules that compare with `oldSelf` only run on update and are skipped.
 *
 * Nothing is computed twice in a process: each expression is parsed and planned
 * once (from the parse trees `npm run build` stores beside the compiled module when
 * present, several times faster than parsing), and a rule's outcome is kept per
 * value of its node, so the same content (the same object validated at
 * construction, at synth and by the gate, or pools alike but for their names)
 * is evaluated once.
 *
 * Each rule first goes through ./cel-fast-path, closures made from its parse tree,
 * which answer the plain cases (as a rule, every rule of a valid object) without
 * @bufbuild/cel; the library, loaded when first needed, decides what they leave open.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as Cel from '@bufbuild/cel';
import type * as CelExt from '@bufbuild/cel/ext';
import { embeddedResult } from '../precomputed';
import { cachedBounded } from './bounded-cache';
import { compileFastRule, FastRule, findFirst, UNDECIDED } from './cel-fast-path';
import { childPointer } from './finding';
import { isObject } from './manifest-kinds';
import { precompiledFile } from './precompiled-files';
import { SchemaNode } from './schemas';

/** One `x-kubernetes-validations` entry. */
export interface CelRule {
  readonly rule: string;
  readonly message?: string;
  readonly messageExpression?: string;
  readonly fieldPath?: string;
}

export interface CelViolation {
  readonly jsonPath: string;
  readonly value: unknown;
  readonly rule: string;
  readonly message: string;
}

export interface CelResultSummary {
  readonly violations: CelViolation[];
  readonly evaluated: number;
  readonly skipped: number;
}

type Evaluator = (bindings: { self: unknown }) => unknown;
type ParsedExpression = ReturnType<typeof Cel.parse>;

/**
 * The CEL library, loaded when a rule first needs it rather than with this package: it
 * and its protobuf runtime take about a tenth of a second to load, which every program
 * that imports the constructs would otherwise pay.
 */
function cel(): typeof Cel {
  return require('@bufbuild/cel') as typeof Cel;
}

let env: ReturnType<typeof makeEnv> | undefined;
const plans = new Map<string, Evaluator>();

function makeEnv() {
  const { CelScalar, celEnv, celMethod } = cel();
  /**
   * Kubernetes' regex library `<string>.find(regex)`: the first match, or '' (k8s.io/apiserver/pkg/cel/library).
   * JavaScript regexes stand in for RE2; the CRDs' patterns use only the common subset.
   */
  const kubernetesFind = celMethod('find', CelScalar.STRING, [CelScalar.STRING], CelScalar.STRING, function (pattern: string) {
    return findFirst(this, pattern);
  });
  // `strings` is cel-go's ext.Strings (split, ...), which Kubernetes enables.
  const { strings } = require('@bufbuild/cel/ext') as typeof CelExt;
  return celEnv({ funcs: [...strings, kubernetesFind], variables: { self: CelScalar.DYN } });
}

/** The parse tree of an expression: stored by the build when it can be, else parsed now. */
function parseTreeOf(expression: string): ParsedExpression {
  const stored = storedParseTrees()?.get(expression);
  return stored === undefined ? cel().parse(expression) : reviveParseTree(stored);
}

let embeddedTreesFitLibrary: boolean | undefined;

/**
 * The parse tree the CEL library plans. The app bundle's embedded trees were made at build
 * time by the @bufbuild/cel the lockfile pins, and the library is loaded from node_modules
 * (scripts/bundle-app.mjs): they are planned only when that is still the installed version,
 * else the library parses the expression itself. The fast path uses the trees either way.
 */
function libraryParseTree(expression: string): ParsedExpression {
  const embedded = embeddedResult('celParseTrees');
  embeddedTreesFitLibrary ??= embedded === undefined || embedded.celVersion === installedCelVersion();
  return embeddedTreesFitLibrary ? parseTreeOf(expression) : cel().parse(expression);
}

/** Parses and plans an expression with the CEL library once per process; later calls reuse the plan. */
function compile(expression: string): Evaluator {
  let evaluator = plans.get(expression);
  if (!evaluator) {
    env ??= makeEnv();
    evaluator = cel().plan(env, libraryParseTree(expression)) as unknown as Evaluator;
    plans.set(expression, evaluator);
  }
  return evaluator;
}

/** The CEL library's result for an expression, or what it threw (also the reference the fast path is tested against). */
export function evaluateWithLibrary(expression: string, self: unknown): unknown {
  try {
    return compile(expression)({ self });
  } catch (error) {
    return error;
  }
}

/** The fast path's result for an expression, or undefined when it does not cover the expression. */
export function evaluateFast(expression: string, self: unknown): boolean | typeof UNDECIDED | undefined {
  return fastRuleOf(expression)?.(self);
}

const fastRules = new Map<string, FastRule | null>();

/** The rule's fast path (./cel-fast-path), made once per process; null when the rule needs the library. */
function fastRuleOf(expression: string): FastRule | null {
  let fast = fastRules.get(expression);
  if (fast === undefined) {
    try {
      fast = compileFastRule(parseTreeOf(expression)) ?? null;
    } catch {
      fast = null; // an expression that does not parse: the library path reports why
    }
    fastRules.set(expression, fast);
  }
  return fast;
}

/** Where `npm run build` writes the parse trees of the CRDs' rules: beside this module's compiled JavaScript. */
export const PARSE_TREES_FILE = 'cel-parse-trees.json';

/** The parse trees file: the CEL library's version and each expression's tree as JSON text. */
export interface ParseTrees {
  readonly celVersion: string;
  readonly trees: Readonly<Record<string, string>>;
}

let parseTrees: Map<string, string> | null | undefined;

/**
 * The stored parse trees: the app bundle's embedded ones (see {@link libraryParseTree}),
 * else build/'s file when the installed CEL library made it.
 */
function storedParseTrees(): Map<string, string> | null {
  if (parseTrees === undefined) {
    const embedded = embeddedResult('celParseTrees');
    if (embedded) {
      parseTrees = new Map(Object.entries(embedded.trees));
    } else {
      const file = precompiledFile(PARSE_TREES_FILE);
      const stored = file ? (JSON.parse(fs.readFileSync(file, 'utf8')) as ParseTrees) : undefined;
      parseTrees = stored !== undefined && stored.celVersion === installedCelVersion() ? new Map(Object.entries(stored.trees)) : null;
    }
  }
  return parseTrees;
}

/**
 * {@link celVersion}, or undefined where no @bufbuild/cel can be found: the validation
 * plugin's bundle, copied out of a project, carries its own copy and parses with it.
 */
function installedCelVersion(): string | undefined {
  try {
    return celVersion();
  } catch {
    return undefined;
  }
}

/** The installed @bufbuild/cel's version (its package.json is not exported, so it is read from its folder). */
export function celVersion(): string {
  const packageDir = path.join(path.dirname(require.resolve('@bufbuild/cel')), '..', '..');
  return (JSON.parse(fs.readFileSync(path.join(packageDir, 'package.json'), 'utf8')) as { version: string }).version;
}

/**
 * A parse tree as JSON text: plain objects, arrays, strings, booleans and numbers,
 * with BigInts (node ids, int literals) boxed. Undefined for a tree holding anything
 * else (bytes literals), which is then parsed at run time.
 * @internal
 */
export function serializeParseTree(tree: ParsedExpression): string | undefined {
  let plain = true;
  const text = JSON.stringify(tree, (_key, value: unknown) => {
    if (typeof value === 'bigint') return { $bigint: value.toString() };
    if (typeof value === 'number' && !Number.isFinite(value)) plain = false;
    if (typeof value === 'object' && value !== null && !Array.isArray(value) && Object.getPrototypeOf(value) !== Object.prototype) plain = false;
    return value;
  });
  return plain ? text : undefined;
}

/**
 * The inverse of {@link serializeParseTree}.
 * @internal
 */
export function reviveParseTree(text: string): ParsedExpression {
  return JSON.parse(text, (_key, value: unknown) => (isObject(value) && typeof value.$bigint === 'string' ? BigInt(value.$bigint) : value)) as ParsedExpression;
}

/** Every rule expression (and message expression) of a schema, once each. */
export function celExpressions(schema: SchemaNode): string[] {
  const expressions = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!isObject(node)) return;
    for (const rule of rulesOf(node)) {
      expressions.add(rule.rule);
      if (rule.messageExpression) expressions.add(rule.messageExpression);
    }
    Object.values(node).forEach(visit);
  };
  visit(schema);
  return [...expressions];
}

const transitionRules = new WeakMap<CelRule, boolean>();

/** True for rules that need the previous object (`oldSelf`), which only exists on update. */
export function isTransitionRule(rule: CelRule): boolean {
  let transition = transitionRules.get(rule);
  if (transition === undefined) transitionRules.set(rule, (transition = /\boldSelf\b/.test(rule.rule)));
  return transition;
}

/** Counts the rules declared anywhere in a schema. */
export function countCelRules(schema: SchemaNode): { readonly total: number; readonly transition: number } {
  let total = 0;
  let transition = 0;
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!isObject(node)) return;
    for (const rule of rulesOf(node)) {
      total++;
      if (isTransitionRule(rule)) transition++;
    }
    Object.values(node).forEach(visit);
  };
  visit(schema);
  return { total, transition };
}

function rulesOf(schema: SchemaNode): readonly CelRule[] {
  const rules = schema['x-kubernetes-validations'];
  return Array.isArray(rules) ? (rules as CelRule[]) : [];
}

/** Whole-object results per schema and content: an object is validated at construction, at synth and by the gate. */
const objectResults = new WeakMap<SchemaNode, Map<string, CelResultSummary>>();
const MAX_OBJECT_RESULTS_PER_SCHEMA = 10_000;

/** Evaluates every applicable rule of `schema` against `value` (a plain JSON object). */
export function evaluateCelRules(schema: SchemaNode, value: unknown): CelResultSummary {
  let bySchema = objectResults.get(schema);
  if (!bySchema) objectResults.set(schema, (bySchema = new Map()));
  const root = new NodeValue(value);
  const result = cachedBounded(bySchema, root.key, MAX_OBJECT_RESULTS_PER_SCHEMA, () => {
    const state = { violations: [] as CelViolation[], evaluated: 0, skipped: 0 };
    walk(schema, value, '', state, root);
    return state;
  });
  return { violations: [...result.violations], evaluated: result.evaluated, skipped: result.skipped };
}

function walk(
  schema: SchemaNode,
  value: unknown,
  pointer: string,
  state: { violations: CelViolation[]; evaluated: number; skipped: number },
  node?: NodeValue, // made once per node, and only when a rule needs it (the root's is given: its key is made already)
): void {
  // Absent and null fields are not validated (the API server drops nulls of non-nullable fields).
  if (value === undefined || value === null) return;
  for (const rule of rulesOf(schema)) {
    if (isTransitionRule(rule)) {
      state.skipped++;
      continue;
    }
    state.evaluated++;
    node ??= new NodeValue(value);
    const violation = outcomeOf(rule, node);
    if (violation) state.violations.push({ jsonPath: rule.fieldPath ? pointer + fieldPathToPointer(rule.fieldPath) : pointer, value, rule: rule.rule, message: violation });
  }
  const properties = isObject(schema.properties) ? (schema.properties as Record<string, SchemaNode>) : {};
  if (isObject(value)) {
    for (const key of Object.keys(value)) {
      const sub = properties[key] ?? (isObject(schema.additionalProperties) ? (schema.additionalProperties as SchemaNode) : undefined);
      if (sub) walk(sub, value[key], childPointer(pointer, key), state);
    }
  } else if (Array.isArray(value) && isObject(schema.items)) {
    value.forEach((item, index) => walk(schema.items as SchemaNode, item, childPointer(pointer, index), state));
  }
}

/** Where JSON text can hold a null: a whole text, a value after `:`, or an item after `[` or `,`. */
const NULL_TOKEN = /(?:^|[:,[])null(?:[,\]}]|$)/;

/** A node's value, with its CEL form and its content key made on first use. */
class NodeValue {
  private celValue: unknown;
  private contentKey: string | undefined;
  public constructor(public readonly value: unknown) {}

  public get self(): unknown {
    return (this.celValue ??= toCel(this.value));
  }

  /** The node's content as a short string: equal content, equal key (long content hashed). */
  public get key(): string {
    if (this.contentKey === undefined) {
      const text = contentText(this.value);
      this.contentKey = text.length <= 200 ? text : createHash('sha1').update(text).digest('base64');
    }
    return this.contentKey;
  }
}

/**
 * JSON text that tells every content apart, NaN and ±Infinity from null too. JSON.stringify
 * writes those as `null`, so only a text holding a `null` token (or what looks like one inside a
 * string) is written again with a replacer, which is several times slower than the plain call.
 */
function contentText(value: unknown): string {
  const text = JSON.stringify(value) ?? 'undefined';
  if (!NULL_TOKEN.test(text)) return text;
  return JSON.stringify(value, (_key, item: unknown) => (typeof item === 'number' && !Number.isFinite(item) ? `${item} (number)` : item));
}

/** Outcomes per rule (the schema's own rule objects) and node content: undefined when the rule holds, else the violation's message. */
const outcomes = new WeakMap<CelRule, Map<string, string | undefined>>();
/** Bounds the memory outcomes hold in a long-running process (tests, watch modes); the oldest entries go first. */
const MAX_OUTCOMES_PER_RULE = 10_000;

function outcomeOf(rule: CelRule, node: NodeValue): string | undefined {
  let byContent = outcomes.get(rule);
  if (!byContent) outcomes.set(rule, (byContent = new Map()));
  return cachedBounded(byContent, node.key, MAX_OUTCOMES_PER_RULE, () => evaluate(rule, node.self));
}

function evaluate(rule: CelRule, self: unknown): string | undefined {
  // The fast path answers plain cases without the CEL library; it defers the rest to it.
  const verdict = fastRuleOf(rule.rule)?.(self) ?? UNDECIDED;
  if (verdict === true) return undefined;
  if (verdict === false) return messageOf(rule, self);
  const result = evaluateWithLibrary(rule.rule, self);
  if (result === true) return undefined;
  const failedToRun = cel().isCelError(result) || result instanceof Error;
  const reason = failedToRun ? ` (the rule could not be evaluated: ${(result as Error).message})` : '';
  return `${messageOf(rule, self)}${reason}`;
}

function messageOf(rule: CelRule, self: unknown): string {
  if (rule.messageExpression) {
    try {
      const message = compile(rule.messageExpression)({ self });
      if (typeof message === 'string' && message !== '') return message;
    } catch {
      // fall through to the static message, as the API server does
    }
  }
  return rule.message ?? `failed rule: ${rule.rule}`;
}

/** `.spec.foo` or `.foo['bar']` (a rule's fieldPath) as a JSON pointer suffix. */
function fieldPathToPointer(fieldPath: string): string {
  const keys = [...fieldPath.matchAll(/\.([A-Za-z0-9_-]+)|\['([^']*)'\]/g)].map((m) => m[1] ?? m[2]);
  return keys.reduce((acc, key) => childPointer(acc, key), '');
}

/**
 * Converts parsed JSON into CEL inputs: objects as Map (plain objects are not
 * a CEL type), integers as BigInt (a JS number is a CEL double), lists as arrays.
 */
export function toCel(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toCel);
  if (isObject(value)) {
    const map = new Map<string, unknown>();
    for (const [key, item] of Object.entries(value)) {
      if (item !== undefined && item !== null) map.set(key, toCel(item));
    }
    return map;
  }
  if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
  return value;
}
