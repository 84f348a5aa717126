/**
 * The shape of every validation result: one finding per problem, each naming
 * where (source file or construct path, kind/name, JSON path), what (value)
 * and why plus how to fix (message).
 */
export type Severity = 'error' | 'warning';

export interface Finding {
  readonly severity: Severity;
  /** Stable rule id: `schema`, `cel`, a {@link SociGuard} id, or another documented id. */
  readonly rule: string;
  /** Construct path or manifest file the object came from. */
  readonly source: string;
  readonly kind: string;
  readonly name: string;
  /** JSON pointer into the object (`/spec/weight`); `` for the whole object. */
  readonly jsonPath: string;
  readonly value: unknown;
  /** Why it is wrong and how to fix it, naming the allowed values. */
  readonly message: string;
}

export interface ValidationReport {
  readonly findings: Finding[];
  readonly errors: Finding[];
  readonly warnings: Finding[];
  /** CEL rules evaluated (each rule counted once per node it ran against). */
  readonly celRulesEvaluated: number;
  /** CEL rules not evaluated because they compare with `oldSelf` (update-only). */
  readonly celRulesSkipped: number;
}

/** Where a finding's object lives; the checks fill in the rest. */
export interface ObjectRef {
  readonly source: string;
  readonly kind: string;
  readonly name: string;
}

/** Builds a finding for an object. */
export function finding(
  ref: ObjectRef,
  severity: Severity,
  rule: string,
  jsonPath: string,
  value: unknown,
  message: string,
): Finding {
  return { severity, rule, source: ref.source, kind: ref.kind, name: ref.name, jsonPath, value, message };
}

/** Escapes one JSON-pointer segment (RFC 6901). */
export function pointerSegment(key: string | number): string {
  return String(key).replace(/~/g, '~0').replace(/\//g, '~1');
}

/** The unescaped keys of a JSON pointer (RFC 6901): `/a/b~1c` → `['a', 'b/c']`; `` → `[]`. */
export function pointerKeys(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer.slice(1).split('/').map((key) => key.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** Joins a JSON pointer and a child key. */
export function childPointer(parent: string, key: string | number): string {
  return `${parent}/${pointerSegment(key)}`;
}
