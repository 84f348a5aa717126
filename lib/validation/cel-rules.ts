/**
 * Evaluates the CRDs' `x-kubernetes-validations` CEL rules offline, the way
 * the API server does on create: each rule runs with `self` bound to the node
 * of the object where the rule is declared, and rules on absent fields do not
 * run. Rules that compare with `oldSelf` only run on update and are skipped.
 */
import { CelScalar, celEnv, celMethod, isCelError, parse, plan } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';
import { childPointer } from './finding';
import { isObject } from './manifest-kinds';
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

/**
 * Kubernetes' regex library `<string>.find(regex)`: the first match, or '' (k8s.io/apiserver/pkg/cel/library).
 * JavaScript regexes stand in for RE2; the CRDs' patterns use only the common subset.
 */
const kubernetesFind = celMethod('find', CelScalar.STRING, [CelScalar.STRING], CelScalar.STRING, function (pattern: string) {
  const match = new RegExp(pattern).exec(this);
  return match ? match[0] : '';
});

let env: ReturnType<typeof makeEnv> | undefined;
const plans = new Map<string, Evaluator>();

function makeEnv() {
  // `strings` is cel-go's ext.Strings (split, ...), which Kubernetes enables.
  return celEnv({ funcs: [...strings, kubernetesFind], variables: { self: CelScalar.DYN } });
}

/** Parses and plans an expression once per process; later calls reuse the plan. */
function compile(expression: string): Evaluator {
  let evaluator = plans.get(expression);
  if (!evaluator) {
    env ??= makeEnv();
    evaluator = plan(env, parse(expression)) as unknown as Evaluator;
    plans.set(expression, evaluator);
  }
  return evaluator;
}

/** True for rules that need the previous object (`oldSelf`), which only exists on update. */
export function isTransitionRule(rule: CelRule): boolean {
  return /\boldSelf\b/.test(rule.rule);
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

/** Evaluates every applicable rule of `schema` against `value` (a plain JSON object). */
export function evaluateCelRules(schema: SchemaNode, value: unknown): CelResultSummary {
  const state = { violations: [] as CelViolation[], evaluated: 0, skipped: 0 };
  walk(schema, value, '', state);
  return state;
}

function walk(schema: SchemaNode, value: unknown, pointer: string, state: { violations: CelViolation[]; evaluated: number; skipped: number }): void {
  // Absent and null fields are not validated (the API server drops nulls of non-nullable fields).
  if (value === undefined || value === null) return;
  let self: unknown; // converted once per node, and only when a rule needs it
  for (const rule of rulesOf(schema)) {
    if (isTransitionRule(rule)) {
      state.skipped++;
      continue;
    }
    state.evaluated++;
    self ??= toCel(value);
    const violation = evaluate(rule, value, self, pointer);
    if (violation) state.violations.push(violation);
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

function evaluate(rule: CelRule, value: unknown, self: unknown, pointer: string): CelViolation | undefined {
  let result: unknown;
  try {
    result = compile(rule.rule)({ self });
  } catch (error) {
    result = error;
  }
  if (result === true) return undefined;
  const jsonPath = rule.fieldPath ? pointer + fieldPathToPointer(rule.fieldPath) : pointer;
  const failedToRun = isCelError(result) || result instanceof Error;
  const reason = failedToRun ? ` (the rule could not be evaluated: ${(result as Error).message})` : '';
  return { jsonPath, value, rule: rule.rule, message: `${messageOf(rule, self)}${reason}` };
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
