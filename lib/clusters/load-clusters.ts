/**
 * Reads and validates cluster files. Every problem names the file and line, the
 * YAML path, the value (long values cut, with their length) and what is allowed;
 * all problems of all files are reported at once.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { isMap, isSeq, LineCounter, parseDocument } from 'yaml';
import { ConfigError } from '../errors';
import { pointerKeys } from '../validation/finding';
import { CLUSTER_FILE_VALIDATOR, schemaValidator } from '../validation/schema-validator';
import { readBlockYaml } from './block-yaml';
import { ALLOWED_KEYWORD, ClusterFile, ClusterSpec, clusterFileSchema } from './cluster-file';

/** The comment that points editors (yaml-language-server) at the schema; every cluster file starts with it. */
export const SCHEMA_MODELINE = '# yaml-language-server: $schema=./cluster.schema.json';

/** One thing wrong in a cluster file. */
export interface ClusterFileProblem {
  /** `clusters/my-cluster.yaml:12:7` */
  readonly where: string;
  /** YAML path: `nodeClasses[0].bootstrap.tuning.maxConcurrentDownloads` */
  readonly path: string;
  readonly value: unknown;
  readonly allowed: string;
}

/** Thrown when cluster files are invalid; the message lists every problem, one per line. */
export class ClusterFileError extends ConfigError {
  public readonly problems: readonly ClusterFileProblem[];

  public constructor(problems: readonly ClusterFileProblem[]) {
    const sorted = [...problems].sort((a, b) => compareLocations(a.where, b.where));
    const [first] = sorted;
    super(first.where, first.path, first.value, first.allowed);
    this.problems = sorted;
    const files = new Set(sorted.map((p) => p.where.replace(/:\d+:\d+$/, '')));
    this.message = `invalid cluster file${files.size > 1 ? 's' : ''}:\n${sorted.map(formatProblem).join('\n')}`;
  }
}

/** Orders `file:line:col` locations by file, then line and column as numbers. */
function compareLocations(a: string, b: string): number {
  const split = (where: string) => {
    const match = /^(.*?)(?::(\d+):(\d+))?$/.exec(where)!;
    return { file: match[1], line: Number(match[2] ?? 0), col: Number(match[3] ?? 0) };
  };
  const x = split(a);
  const y = split(b);
  return x.file.localeCompare(y.file) || x.line - y.line || x.col - y.col;
}

const MAX_VALUE_CHARS = 80;

/** `<file:line:col>: <path> <value> is invalid: <allowed>`, the value cut to about 80 characters with its length. */
export function formatProblem(problem: ClusterFileProblem): string {
  return `  ${problem.where}: ${problem.path || '(file)'} ${cutValue(problem.value)} is invalid: ${problem.allowed}`;
}

function cutValue(value: unknown): string {
  if (value === undefined) return '(not set)';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS - 3)}... (${text.length} chars)` : text;
}

/** Made once per process; precompiled by `npm run build` (lib/validation/precompile.ts). */
function validate(): ValidateFunction {
  return schemaValidator(CLUSTER_FILE_VALIDATOR, clusterFileSchema);
}

/** Loads every `*.yaml` file of `dir` (sorted by name); throws {@link ClusterFileError} listing every problem. */
export function loadClusters(dir: string): ClusterSpec[] {
  const entries = fs.readdirSync(dir).sort();
  const problems: ClusterFileProblem[] = [];
  const specs: ClusterSpec[] = [];
  for (const entry of entries.filter((e) => e.endsWith('.yml'))) {
    problems.push({ where: path.join(dir, entry), path: '', value: entry, allowed: 'cluster files end in .yaml; rename it' });
  }
  const files = entries.filter((e) => e.endsWith('.yaml'));
  if (files.length === 0) {
    problems.push({ where: dir, path: '', value: entries, allowed: 'a folder with at least one <cluster>.yaml file' });
  }
  for (const file of files) {
    const result = parseClusterFile(path.join(dir, file), fs.readFileSync(path.join(dir, file), 'utf8'));
    if ('spec' in result) specs.push(result.spec);
    else problems.push(...result.problems);
  }
  if (problems.length > 0) throw new ClusterFileError(problems);
  return specs;
}

/** Loads one cluster file; throws {@link ClusterFileError}. */
export function loadClusterFile(file: string): ClusterSpec {
  const result = parseClusterFile(file, fs.readFileSync(file, 'utf8'));
  if ('problems' in result) throw new ClusterFileError(result.problems);
  return result.spec;
}

/** Parses and validates the text of a cluster file. Pure apart from the file name, which only appears in messages. */
export function parseClusterFile(file: string, text: string): { spec: ClusterSpec } | { problems: ClusterFileProblem[] } {
  // Plain block YAML, what cluster files are, is read by readBlockYaml, many times faster than the library.
  // A text it declines, and any file with a problem, goes through the library, which also says where each problem is.
  const quick: unknown = readBlockYaml(text);
  if (quick !== undefined && validate()(quick)) {
    const cluster = quick as ClusterFile;
    if (semanticProblems(file, cluster, () => file).length === 0) return { spec: { ...cluster, file } };
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const at = (offset: number | undefined) => {
    if (offset === undefined) return file;
    const { line, col } = lines.linePos(offset);
    return `${file}:${line}:${col}`;
  };
  if (doc.errors.length > 0) {
    return { problems: doc.errors.map((e) => ({ where: at(e.pos[0]), path: '', value: e.code, allowed: `valid YAML: ${e.message.split('\n')[0]}` })) };
  }
  const data = doc.toJS({ maxAliasCount: 100 }) as unknown;
  const locate = (keys: (string | number)[]) => at(offsetOf(doc, keys));

  if (!validate()(data)) {
    return { problems: schemaProblems(validate().errors ?? [], data, locate) };
  }
  const cluster = data as ClusterFile;
  const problems = semanticProblems(file, cluster, locate);
  return problems.length > 0 ? { problems } : { spec: { ...cluster, file } };
}

/** Rules JSON Schema cannot state: the file name, unique names, and references between entries. */
function semanticProblems(file: string, cluster: ClusterFile, locate: (keys: (string | number)[]) => string): ClusterFileProblem[] {
  const problems: ClusterFileProblem[] = [];
  const expected = path.basename(file, '.yaml');
  if (cluster.name !== expected) {
    problems.push({ where: locate(['name']), path: 'name', value: cluster.name, allowed: `the file name without .yaml ("${expected}"), so dist/<name>/ and the file agree` });
  }
  for (const list of ['nodeClasses', 'nodePools'] as const) {
    const seen = new Set<string>();
    cluster[list].forEach((entry, i) => {
      if (seen.has(entry.name)) {
        problems.push({ where: locate([list, i, 'name']), path: `${list}[${i}].name`, value: entry.name, allowed: `a name not used by another entry of ${list} (both are cluster-scoped objects)` });
      }
      seen.add(entry.name);
    });
  }
  const classNames = new Set(cluster.nodeClasses.map((c) => c.name));
  cluster.nodePools.forEach((pool, i) => {
    if (!classNames.has(pool.nodeClass)) {
      problems.push({ where: locate(['nodePools', i, 'nodeClass']), path: `nodePools[${i}].nodeClass`, value: pool.nodeClass, allowed: `the name of a node class in this file: ${[...classNames].join(', ')}` });
    }
  });
  return problems;
}

/** ajv's errors as problems: one per field, in the schema's own words (`x-allowed`) where it has them. */
function schemaProblems(errors: readonly ErrorObject[], data: unknown, locate: (keys: (string | number)[]) => string): ClusterFileProblem[] {
  const problems = new Map<string, ClusterFileProblem>();
  const covered = errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf').map((e) => e.instancePath);
  for (const error of errors) {
    // `if` only says which `then` failed; the failing `then` reports the field itself.
    if (error.keyword === 'if') continue;
    // Inside anyOf/oneOf each branch reports its own mismatch; the anyOf error speaks for them.
    if (error.keyword !== 'anyOf' && error.keyword !== 'oneOf' && covered.includes(error.instancePath) && /\/(anyOf|oneOf)\//.test(error.schemaPath)) continue;
    const keys = yamlKeys(error.instancePath);
    let allowed = allowedText(error);
    if (error.keyword === 'additionalProperties' || error.keyword === 'required') {
      const key = (error.params as { additionalProperty?: string; missingProperty?: string }).additionalProperty
        ?? (error.params as { missingProperty: string }).missingProperty;
      keys.push(key);
    }
    const yamlPath = formatPath(keys);
    const value = error.keyword === 'required' ? undefined : valueAt(data, keys);
    if (error.keyword === 'additionalProperties') allowed = unknownKeyText(error);
    const id = `${yamlPath}\0${error.keyword === 'additionalProperties' ? 'key' : ''}`;
    if (!problems.has(id)) problems.set(id, { where: locate(keys), path: yamlPath, value, allowed });
  }
  return [...problems.values()];
}

function allowedText(error: ErrorObject): string {
  const schema = (error.parentSchema ?? {}) as Record<string, unknown>;
  if (error.keyword === 'required') return 'required';
  if (typeof schema[ALLOWED_KEYWORD] === 'string') return schema[ALLOWED_KEYWORD] as string;
  switch (error.keyword) {
    case 'enum':
      return `one of ${(schema.enum as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'type':
      return `a value of type ${(error.params as { type: string }).type}`;
    case 'minItems':
      return `a list of at least ${(error.params as { limit: number }).limit} item(s)`;
    case 'minLength':
      return 'a non-empty string';
    default:
      return error.message ?? error.keyword;
  }
}

function unknownKeyText(error: ErrorObject): string {
  const schema = (error.parentSchema ?? {}) as Record<string, unknown>;
  const known = Object.keys((schema.properties as Record<string, unknown> | undefined) ?? {});
  if (known.length === 0) return 'not a known key here';
  const key = (error.params as { additionalProperty: string }).additionalProperty;
  const near = known.find((k) => editDistance(k.toLowerCase(), key.toLowerCase()) <= 2);
  return `not a known key here${near ? ` (did you mean ${near}?)` : ''}; use one of ${known.join(', ')}`;
}

function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length];
}

/** The keys of an ajv instance path, list indexes as numbers (for {@link formatPath}). */
export function yamlKeys(instancePath: string): (string | number)[] {
  return pointerKeys(instancePath).map((key) => (/^\d+$/.test(key) ? Number(key) : key));
}

/** `nodeClasses[0].tags["karpenter.sh/discovery"]` */
export function formatPath(keys: readonly (string | number)[]): string {
  return keys.map((key, i) => {
    if (typeof key === 'number') return `[${key}]`;
    if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) return i === 0 ? key : `.${key}`;
    return `[${JSON.stringify(key)}]`;
  }).join('');
}

function valueAt(data: unknown, keys: readonly (string | number)[]): unknown {
  let node = data;
  for (const key of keys) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string | number, unknown>)[key];
  }
  return node;
}

/** Start offset of the deepest node on `keys` that exists in the document (a key's own position for a map entry). */
function offsetOf(doc: ReturnType<typeof parseDocument>, keys: readonly (string | number)[]): number | undefined {
  let node: unknown = doc.contents;
  let offset = (node as { range?: [number] } | null)?.range?.[0];
  for (const key of keys) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (p.key as { value?: unknown } | null)?.value === key);
      if (!pair) break;
      offset = (pair.key as { range?: [number] }).range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof key === 'number' && node.items[key] !== undefined) {
      node = node.items[key];
      offset = (node as { range?: [number] }).range?.[0] ?? offset;
    } else {
      break;
    }
  }
  return offset;
}
