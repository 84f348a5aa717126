/**
 * Checks plain Kubernetes objects (Jobs, Pods, ConfigMaps…) against the Kubernetes API types
 * that cdk8s-plus-28 ships: its jsii assembly (`.jsii`) describes every struct of the
 * Kubernetes 1.28 API with its fields, their types and which are required, and its generated
 * `toJson_*` functions give each field's JSON name. Unknown fields, missing required fields and
 * values of the wrong type are reported with their JSON path.
 */
import * as fs from 'fs';
import * as path from 'path';

type TypeRef =
  | { readonly primitive: 'string' | 'number' | 'boolean' | 'date' | 'any' | 'json' }
  | { readonly fqn: string }
  | { readonly collection: { readonly kind: 'array' | 'map'; readonly elementtype: TypeRef } }
  | { readonly union: { readonly types: readonly TypeRef[] } };

interface JsiiProperty { readonly name: string; readonly optional?: boolean; readonly type: TypeRef }
interface JsiiType {
  readonly fqn: string;
  readonly kind: 'interface' | 'class' | 'enum';
  readonly name: string;
  readonly properties?: readonly JsiiProperty[];
  readonly initializer?: { readonly parameters?: readonly { readonly type: TypeRef }[] };
}

/** One field of a struct: the JSON name, whether it is required, and its type. */
interface Field { readonly json: string; readonly required: boolean; readonly type: TypeRef }

const PREFIX = 'cdk8s-plus-28.k8s.';

/** A schema violation: JSON path (`/spec/template/spec/containers/0/image`) and what is wrong. */
export interface KubeTypeViolation {
  readonly path: string;
  readonly message: string;
}

export class KubeTypeSchema {
  private static cached?: KubeTypeSchema;

  /** The schema of the installed cdk8s-plus-28, read once per process. */
  public static load(): KubeTypeSchema {
    return (KubeTypeSchema.cached ??= KubeTypeSchema.read(path.dirname(require.resolve('cdk8s-plus-28/package.json'))));
  }

  private static read(packageDir: string): KubeTypeSchema {
    const types = (JSON.parse(fs.readFileSync(path.join(packageDir, '.jsii'), 'utf8')) as { types: Record<string, JsiiType> }).types;
    const jsonNames = readJsonNames(fs.readFileSync(path.join(packageDir, 'lib', 'imports', 'k8s.js'), 'utf8'));
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const k8s = require(path.join(packageDir, 'lib', 'imports', 'k8s.js')) as Record<string, { GVK?: { apiVersion: string; kind: string } }>;
    const kinds = new Map<string, string>();
    for (const type of Object.values(types)) {
      if (!type.fqn.startsWith(PREFIX) || type.kind !== 'class') continue;
      const gvk = k8s[type.name]?.GVK;
      const props = type.initializer?.parameters?.[2]?.type;
      if (gvk && props && 'fqn' in props) kinds.set(`${gvk.apiVersion}/${gvk.kind}`, props.fqn);
    }
    return new KubeTypeSchema(types, jsonNames, kinds);
  }

  private readonly fields = new Map<string, readonly Field[]>();

  private constructor(
    private readonly types: Record<string, JsiiType>,
    private readonly jsonNames: ReadonlyMap<string, ReadonlyMap<string, string>>,
    private readonly kinds: ReadonlyMap<string, string>,
  ) {}

  /** True when the object's apiVersion and kind are a Kubernetes 1.28 API type. */
  public knows(apiVersion: string, kind: string): boolean {
    return this.kinds.has(`${apiVersion}/${kind}`);
  }

  /** Violations of one object; empty when it conforms. */
  public validate(object: { apiVersion?: unknown; kind?: unknown; [key: string]: unknown }): KubeTypeViolation[] {
    const props = this.kinds.get(`${object.apiVersion}/${object.kind}`);
    if (!props) return [{ path: '/kind', message: `${object.apiVersion}/${object.kind} is not a Kubernetes 1.28 API type` }];
    const { apiVersion: _apiVersion, kind: _kind, ...rest } = object;
    const violations: KubeTypeViolation[] = [];
    this.check(rest, { fqn: props }, '', violations);
    return violations;
  }

  private check(value: unknown, type: TypeRef, at: string, out: KubeTypeViolation[]): void {
    if ('primitive' in type) return checkPrimitive(value, type.primitive, at, out);
    if ('collection' in type) return this.checkCollection(value, type.collection, at, out);
    if ('union' in type) {
      const ok = type.union.types.some((t) => { const probe: KubeTypeViolation[] = []; this.check(value, t, at, probe); return probe.length === 0; });
      if (!ok) out.push({ path: at || '/', message: `${describe(value)} matches none of the allowed types` });
      return;
    }
    const target = this.types[type.fqn];
    if (!target || target.kind === 'enum') return checkPrimitive(value, 'string', at, out);
    // Quantity and IntOrString are classes built from a string or a number.
    if (target.kind === 'class') {
      if (typeof value !== 'string' && typeof value !== 'number') out.push({ path: at || '/', message: `${describe(value)} is not a string or number (${target.name})` });
      return;
    }
    this.checkStruct(value, type.fqn, at, out);
  }

  private checkCollection(value: unknown, collection: { kind: 'array' | 'map'; elementtype: TypeRef }, at: string, out: KubeTypeViolation[]): void {
    if (collection.kind === 'array') {
      if (!Array.isArray(value)) return void out.push({ path: at || '/', message: `${describe(value)} is not a list` });
      value.forEach((item, i) => this.check(item, collection.elementtype, `${at}/${i}`, out));
      return;
    }
    if (!isPlainObject(value)) return void out.push({ path: at || '/', message: `${describe(value)} is not a map` });
    for (const [key, item] of Object.entries(value)) this.check(item, collection.elementtype, `${at}/${escapePointer(key)}`, out);
  }

  private checkStruct(value: unknown, fqn: string, at: string, out: KubeTypeViolation[]): void {
    if (!isPlainObject(value)) return void out.push({ path: at || '/', message: `${describe(value)} is not an object (${this.types[fqn]!.name})` });
    const fields = this.fieldsOf(fqn);
    for (const field of fields) {
      if (field.required && value[field.json] === undefined) out.push({ path: `${at}/${escapePointer(field.json)}`, message: `required by ${this.types[fqn]!.name}` });
    }
    for (const [key, item] of Object.entries(value)) {
      const field = fields.find((f) => f.json === key);
      if (!field) {
        out.push({ path: `${at}/${escapePointer(key)}`, message: `unknown field of ${this.types[fqn]!.name}` });
        continue;
      }
      this.check(item, field.type, `${at}/${escapePointer(key)}`, out);
    }
  }

  private fieldsOf(fqn: string): readonly Field[] {
    let fields = this.fields.get(fqn);
    if (!fields) {
      const type = this.types[fqn]!;
      const names = this.jsonNames.get(type.name);
      fields = (type.properties ?? []).map((p) => ({ json: names?.get(p.name) ?? p.name, required: !p.optional, type: p.type }));
      this.fields.set(fqn, fields);
    }
    return fields;
  }
}

/** `toJson_Foo` maps property `ref` to JSON `$ref` and the like: struct name → (property → JSON name). */
function readJsonNames(source: string): Map<string, Map<string, string>> {
  const result = new Map<string, Map<string, string>>();
  for (const block of source.split(/\nfunction toJson_/).slice(1)) {
    const name = /^(\w+)\(/.exec(block)?.[1];
    if (!name) continue;
    const names = new Map<string, string>();
    for (const [, json, prop] of block.matchAll(/^\s+'([^']+)': .*?\bobj\.(\w+)/gm)) {
      if (json !== prop) names.set(prop!, json!);
    }
    if (names.size > 0) result.set(name, names);
  }
  return result;
}

function checkPrimitive(value: unknown, primitive: string, at: string, out: KubeTypeViolation[]): void {
  const ok = primitive === 'any' || primitive === 'json' ? true
    : primitive === 'date' ? typeof value === 'string'
      : typeof value === primitive;
  if (!ok) out.push({ path: at || '/', message: `${describe(value)} is not a ${primitive === 'date' ? 'date string' : primitive}` });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

function describe(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
