/**
 * A fast path for the CRDs' CEL rules: a parse tree turned into JavaScript closures, which
 * answer the common case without the CEL library.
 *
 * Loading @bufbuild/cel (and the protobuf runtime it builds its types from) and planning the
 * rules is most of what CEL validation costs a synth. The rules Karpenter's CRDs declare use a
 * small part of CEL: field selection and `has()`, the logical operators, equality of strings
 * and integers, ordering of integers, `in`, `size()`, `int()`, a few string functions and the
 * `all`, `exists` and `filter` macros. This module evaluates exactly that part, and only where CEL's result is
 * plain: both operands of a comparison of one type, a map key that is present, an index in
 * range. Everything else (an error, an absorbed error, a type it does not model, a function it
 * does not know) is UNDECIDED, and the caller asks the CEL library. So an answer of true or
 * false from here is the library's answer, which test/validation/cel-fast-path.test.ts checks
 * rule by rule against the library on generated objects.
 *
 * Values are what `toCel` makes of JSON: Map for objects, BigInt for integers, number for
 * other numbers, arrays, strings and booleans.
 */

/** The answer when this path cannot tell what CEL would say; the CEL library decides instead. */
export const UNDECIDED = Symbol('undecided');

/** Evaluates one rule against `self`: its boolean result, or UNDECIDED. */
export type FastRule = (self: unknown) => boolean | typeof UNDECIDED;

/** The shape of a cel.expr.Expr parse tree, as @bufbuild/cel's `parse` returns it (and its JSON revives). */
interface Expr {
  readonly exprKind: { readonly case?: string; readonly value?: unknown };
}
interface Constant {
  readonly constantKind: { readonly case?: string; readonly value?: unknown };
}
interface Call {
  readonly function: string;
  readonly target?: Expr;
  readonly args: readonly Expr[];
}
interface Select {
  readonly operand?: Expr;
  readonly field: string;
  readonly testOnly: boolean;
}
interface Comprehension {
  readonly iterVar: string;
  readonly iterVar2?: string;
  readonly iterRange?: Expr;
  readonly accuVar: string;
  readonly accuInit?: Expr;
  readonly loopCondition?: Expr;
  readonly loopStep?: Expr;
  readonly result?: Expr;
}
interface CreateList {
  readonly elements: readonly Expr[];
  readonly optionalIndices?: readonly number[];
}

type Scope = Record<string, unknown>;
type Closure = (scope: Scope) => unknown;

/** Thrown inside a closure when CEL's result would not be plain; caught once, at the rule. */
const UNDECIDED_SIGNAL: unique symbol = Symbol('undecided signal');

function undecided(): never {
  throw UNDECIDED_SIGNAL;
}

/** Thrown while compiling a tree this path does not cover: the rule then always goes to the library. */
class Unsupported extends Error {}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * Kubernetes' `<string>.find(regex)`: the first match, or ''. The CEL environment registers
 * this same function, so both paths agree by construction.
 */
export function findFirst(text: string, pattern: string): string {
  const match = new RegExp(pattern).exec(text);
  return match ? match[0] : '';
}

/**
 * The fast path for a parsed rule (`tree` is a cel.expr.ParsedExpr), or undefined when the rule
 * uses something this path does not cover.
 */
export function compileFastRule(tree: { readonly expr?: Expr }): FastRule | undefined {
  let closure: Closure;
  try {
    if (!tree.expr) return undefined;
    closure = compileExpr(tree.expr);
  } catch (error) {
    if (error instanceof Unsupported) return undefined;
    throw error;
  }
  return (self) => {
    // No prototype: an identifier such as `constructor` must not find Object's.
    const scope: Scope = Object.create(null) as Scope;
    scope.self = self;
    try {
      const result = closure(scope);
      return typeof result === 'boolean' ? result : UNDECIDED;
    } catch {
      // UNDECIDED_SIGNAL, or anything unexpected (a regex too deep, say): the library decides.
      return UNDECIDED;
    }
  };
}

function compileExpr(expr: Expr): Closure {
  const { case: kind, value } = expr.exprKind;
  switch (kind) {
    case 'constExpr':
      return compileConstant(value as Constant);
    case 'identExpr':
      return compileIdent((value as { name: string }).name);
    case 'selectExpr':
      return compileSelect(value as Select);
    case 'callExpr':
      return compileCall(value as Call);
    case 'listExpr':
      return compileList(value as CreateList);
    case 'comprehensionExpr':
      return compileComprehension(value as Comprehension);
    default:
      throw new Unsupported(`expression kind ${kind}`);
  }
}

function compileConstant(constant: Constant): Closure {
  const { case: kind, value } = constant.constantKind;
  switch (kind) {
    case 'boolValue':
    case 'stringValue':
    case 'int64Value':
    case 'doubleValue':
      return () => value;
    default:
      throw new Unsupported(`constant ${kind}`);
  }
}

function compileIdent(name: string): Closure {
  return (scope) => (name in scope ? scope[name] : undecided());
}

function compileSelect(select: Select): Closure {
  if (!select.operand) throw new Unsupported('select without operand');
  const operand = compileExpr(select.operand);
  const field = select.field;
  if (select.testOnly) {
    // has(x.f): presence of a key of a map (toCel leaves out nulls, as absent fields are)
    return (scope) => {
      const target = operand(scope);
      return target instanceof Map ? target.has(field) : undecided();
    };
  }
  return (scope) => {
    const target = operand(scope);
    return target instanceof Map && target.has(field) ? target.get(field) : undecided();
  };
}

function compileList(list: CreateList): Closure {
  if (list.optionalIndices && list.optionalIndices.length > 0) throw new Unsupported('optional list elements');
  const elements = list.elements.map(compileExpr);
  return (scope) => elements.map((element) => element(scope));
}

/** The expansion of `all`, `exists`, `exists_one`, `filter` and `map`: a fold over a list's items or a map's keys. */
function compileComprehension(c: Comprehension): Closure {
  if (c.iterVar2) throw new Unsupported('two-variable comprehension');
  if (!c.iterRange || !c.accuInit || !c.loopCondition || !c.loopStep || !c.result) throw new Unsupported('incomplete comprehension');
  const range = compileExpr(c.iterRange);
  const init = compileExpr(c.accuInit);
  const condition = compileExpr(c.loopCondition);
  const step = compileExpr(c.loopStep);
  const result = compileExpr(c.result);
  const { iterVar, accuVar } = c;
  return (scope) => {
    const items = range(scope);
    const elements = Array.isArray(items) ? items : items instanceof Map ? [...items.keys()] : undecided();
    const inner: Scope = Object.create(scope) as Scope;
    inner[accuVar] = init(scope);
    for (const element of elements) {
      inner[iterVar] = element;
      const proceed = condition(inner);
      if (proceed === false) break;
      if (proceed !== true) undecided();
      inner[accuVar] = step(inner);
    }
    return result(inner);
  };
}

function compileCall(call: Call): Closure {
  const compiler = call.target ? METHODS[call.function] : FUNCTIONS[call.function];
  if (!compiler) throw new Unsupported(`function ${call.function}`);
  const args = call.args.map(compileExpr);
  return compiler(call.target ? compileExpr(call.target) : undefined, args, call);
}

type CallCompiler = (target: Closure | undefined, args: Closure[], call: Call) => Closure;

function arity(args: Closure[], count: number, name: string): void {
  if (args.length !== count) throw new Unsupported(`${name} with ${args.length} argument(s)`);
}

function asBool(value: unknown): boolean {
  return typeof value === 'boolean' ? value : undecided();
}

function asString(value: unknown): string {
  return typeof value === 'string' ? value : undecided();
}

function int64(value: bigint): bigint {
  return value >= INT64_MIN && value <= INT64_MAX ? value : undecided();
}

/** Equality where CEL's answer is plain: two strings, booleans, integers or doubles. */
function equal(a: unknown, b: unknown): boolean {
  const type = typeof a;
  if (type !== typeof b || (type !== 'string' && type !== 'boolean' && type !== 'bigint' && type !== 'number')) undecided();
  return a === b;
}

/** A function of one argument, applied to its value. */
function unary(name: string, apply: (value: unknown) => unknown): CallCompiler {
  return (_target, args) => {
    arity(args, 1, name);
    const [operand] = args as [Closure];
    return (scope) => apply(operand(scope));
  };
}

/** A function of two arguments, both evaluated, left first (the logical operators, which short-circuit, are not). */
function binary(name: string, apply: (left: unknown, right: unknown) => unknown): CallCompiler {
  return (_target, args) => {
    arity(args, 2, name);
    const [left, right] = args as [Closure, Closure];
    return (scope) => apply(left(scope), right(scope));
  };
}

/** Ordering of two integers or two doubles (strings and mixed numbers are left to the library). */
function ordered(name: string, compare: (a: bigint | number, b: bigint | number) => boolean): CallCompiler {
  return binary(name, (a, b) => {
    if (!((typeof a === 'bigint' && typeof b === 'bigint') || (typeof a === 'number' && typeof b === 'number'))) undecided();
    return compare(a as bigint | number, b as bigint | number);
  });
}

/** Code points of a string, as CEL counts them; strings with surrogates are left to the library. */
function codePoints(text: string): bigint {
  if (/[\uD800-\uDFFF]/.test(text)) undecided();
  return BigInt(text.length);
}

function size(value: unknown): bigint {
  if (typeof value === 'string') return codePoints(value);
  if (Array.isArray(value)) return BigInt(value.length);
  if (value instanceof Map) return BigInt(value.size);
  return undecided();
}

function constantString(args: Closure[], call: Call, name: string): string {
  const arg = call.args[0]?.exprKind;
  const constant = arg?.case === 'constExpr' ? (arg.value as Constant).constantKind : undefined;
  if (args.length !== 1 || constant?.case !== 'stringValue') throw new Unsupported(`${name} without a constant string argument`);
  return constant.value as string;
}

/** `x in list` with plain equality, or `key in map`. */
function contains(item: unknown, container: unknown): boolean {
  if (container instanceof Map) return container.has(asString(item));
  if (!Array.isArray(container)) return undecided();
  for (const element of container) if (equal(item, element)) return true;
  return false;
}

/** `map[key]` of a present key, or `list[index]` in range. */
function indexed(container: unknown, key: unknown): unknown {
  if (container instanceof Map) return typeof key === 'string' && container.has(key) ? container.get(key) : undecided();
  if (Array.isArray(container) && typeof key === 'bigint' && key >= 0n && key < BigInt(container.length)) return container[Number(key)];
  return undecided();
}

/** List concatenation (the `filter` macro's step) or integer addition. */
function plus(a: unknown, b: unknown): unknown {
  if (Array.isArray(a) && Array.isArray(b)) return [...a, ...b];
  if (typeof a === 'bigint' && typeof b === 'bigint') return int64(a + b);
  return undecided();
}

/** `int()` of an integer, or of plain decimal text: other spellings (signs, spaces, bases) are the library's to judge. */
function toInt(value: unknown): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'string' && /^-?(0|[1-9][0-9]{0,18})$/.test(value)) return int64(BigInt(value));
  return undecided();
}

const FUNCTIONS: Readonly<Record<string, CallCompiler>> = {
  '_&&_': (_target, args) => {
    arity(args, 2, '&&');
    const [left, right] = args as [Closure, Closure];
    return (scope) => (asBool(left(scope)) ? asBool(right(scope)) : false);
  },
  '_||_': (_target, args) => {
    arity(args, 2, '||');
    const [left, right] = args as [Closure, Closure];
    return (scope) => (asBool(left(scope)) ? true : asBool(right(scope)));
  },
  '_?_:_': (_target, args) => {
    arity(args, 3, '?:');
    const [condition, then, otherwise] = args as [Closure, Closure, Closure];
    return (scope) => (asBool(condition(scope)) ? then(scope) : otherwise(scope));
  },
  '!_': unary('!', (value) => !asBool(value)),
  // The comprehension's loop condition: false only for false (an error would not stop CEL's loop).
  '@not_strictly_false': unary('@not_strictly_false', asBool),
  '_==_': binary('==', equal),
  '_!=_': binary('!=', (a, b) => !equal(a, b)),
  '_<_': ordered('<', (a, b) => a < b),
  '_<=_': ordered('<=', (a, b) => a <= b),
  '_>_': ordered('>', (a, b) => a > b),
  '_>=_': ordered('>=', (a, b) => a >= b),
  '@in': binary('in', contains),
  '_[_]': binary('[]', indexed),
  '_+_': binary('+', plus),
  'size': unary('size', size),
  'int': unary('int', toInt),
};

const METHODS: Readonly<Record<string, CallCompiler>> = {
  size: (target, args) => {
    arity(args, 0, 'size()');
    return (scope) => size(target!(scope));
  },
  startsWith: (target, args) => {
    arity(args, 1, 'startsWith');
    const [prefix] = args as [Closure];
    return (scope) => asString(target!(scope)).startsWith(asString(prefix(scope)));
  },
  endsWith: (target, args) => {
    arity(args, 1, 'endsWith');
    const [suffix] = args as [Closure];
    return (scope) => asString(target!(scope)).endsWith(asString(suffix(scope)));
  },
  find: (target, args, call) => {
    const pattern = constantString(args, call, 'find');
    return (scope) => findFirst(asString(target!(scope)), pattern);
  },
  matches: (target, args, call) => {
    const regex = re2Subset(constantString(args, call, 'matches'));
    return (scope) => regex.test(asString(target!(scope)));
  },
  split: (target, args, call) => {
    const separator = constantString(args, call, 'split');
    // An empty separator splits into characters, which JavaScript counts differently.
    if (separator === '') throw new Unsupported('split on an empty separator');
    return (scope) => asString(target!(scope)).split(separator);
  },
};

/**
 * An RE2 pattern as a JavaScript RegExp that matches the same strings, for the plain patterns
 * the CRDs use: literals, classes of literals and ranges, `.`, anchors at the ends, `+*?`
 * and groups. RE2's `.` is any character but a newline (JavaScript's also leaves out \r and
 * the Unicode line separators), and RE2 works on code points, as the `u` flag does.
 * Anything else (escapes, flags, repetition counts, alternation) throws Unsupported.
 */
export function re2Subset(pattern: string): RegExp {
  let source = '';
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i]!;
    if (inClass) {
      if (char === ']') inClass = false;
      else if (!/[A-Za-z0-9@._:/-]/.test(char) && !(char === '^' && pattern[i - 1] === '[')) throw new Unsupported(`pattern ${pattern}`);
      source += char;
    } else if (char === '[') {
      inClass = true;
      source += char;
    } else if (char === '.') {
      source += '[^\\n]';
    } else if ((char === '^' && i === 0) || (char === '$' && i === pattern.length - 1) || /[A-Za-z0-9@_:/+*?()-]/.test(char)) {
      source += char;
    } else {
      throw new Unsupported(`pattern ${pattern}`);
    }
  }
  if (inClass || /\(\?|\(\)|[+*?][+*?]/.test(pattern)) throw new Unsupported(`pattern ${pattern}`);
  try {
    return new RegExp(source, 'u');
  } catch {
    throw new Unsupported(`pattern ${pattern}`);
  }
}
