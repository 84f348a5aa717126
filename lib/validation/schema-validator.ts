/**
 * JSON-schema validation of NodePools, EC2NodeClasses and embedded NodeConfig
 * documents with ajv. Compiling a schema is the expensive part (about 0.1 s per
 * CRD), so each validator is made once per process, on first use; and
 * `npm run build` writes them as standalone code beside the compiled module
 * (lib/validation/precompile.ts), which loads several times faster than
 * compiling. A standalone validator is used only when it was generated from
 * exactly the schema asked for (a hash of it), with the installed ajv; or when the
 * app bundle embeds it (lib/precomputed.ts), since both come out of one build.
 */
import { createHash } from 'node:crypto';
import type Ajv from 'ajv';
import type { ErrorObject, Options, ValidateFunction } from 'ajv';
import { embeddedResult } from '../precomputed';
import { childPointer, pointerKeys } from './finding';
import { precompiledFile } from './precompiled-files';
import { ec2NodeClassCrdSchema, karpenterAjvSchema, nodeConfigAjvSchema, nodePoolCrdSchema, SchemaNode } from './schemas';

/** One schema violation, before it is attached to an object. */
export interface SchemaViolation {
  readonly jsonPath: string;
  readonly value: unknown;
  readonly message: string;
}

export type SchemaName = 'NodePool' | 'EC2NodeClass' | 'NodeConfig';

/**
 * One set of options for every schema, compiled or standalone.
 * strict: false because CRD schemas carry Kubernetes extensions (x-kubernetes-*) and
 * array-level maxLength/pattern (NodePool requirements[].values) that strict mode rejects.
 */
const AJV_OPTIONS: Options = { strict: false, allErrors: true, verbose: true };
const FORMATS = ['int32', 'int64', 'date-time', 'byte'] as const;

/** Where `npm run build` writes the standalone validators: beside this module's compiled JavaScript. */
export const STANDALONE_VALIDATORS_FILE = 'standalone-validators.js';

/** The name the cluster file loader (lib/clusters) asks {@link schemaValidator} for. */
export const CLUSTER_FILE_VALIDATOR = 'ClusterFile';

/** The name the Helm chart's values check (lib/helm) asks {@link schemaValidator} for. */
export const CHART_VALUES_VALIDATOR = 'ChartValues';

/** The schemas of this module, by name. */
export const VALIDATOR_SCHEMAS: Readonly<Record<SchemaName, () => SchemaNode>> = {
  NodePool: () => karpenterAjvSchema(nodePoolCrdSchema()),
  EC2NodeClass: () => karpenterAjvSchema(ec2NodeClassCrdSchema()),
  NodeConfig: nodeConfigAjvSchema,
};

/** The module scripts/precompile-validators.mjs writes: a validator per schema name, and their hashes. */
export interface StandaloneModule {
  /** Per validator: the hash of the schema and ajv version it was generated from ({@link schemaHash}). */
  readonly schemaHashes: Readonly<Record<string, string>>;
  readonly [name: string]: unknown;
}

const validators = new Map<string, ValidateFunction>();
let ajv: Ajv | undefined;
/** The standalone validators, and whether they come from the same build as the code asking (embedded in the app bundle). */
let standalone: { readonly validators: StandaloneModule; readonly sameBuild: boolean } | null | undefined;

/**
 * An ajv instance with this module's options and formats (and `options` on top).
 * @internal
 */
export function createAjv(options: Options = {}): Ajv {
  // Loaded only when a schema must be compiled here: standalone validators need only ajv's runtime helpers.
  const AjvClass = (require('ajv') as typeof import('ajv')).default;
  const addFormats = (require('ajv-formats') as typeof import('ajv-formats')).default;
  const instance = new AjvClass({ ...AJV_OPTIONS, ...options });
  addFormats(instance, [...FORMATS]);
  return instance;
}

function ajvVersion(): string {
  return (require('ajv/package.json') as { version: string }).version;
}

/** What a standalone validator must have been generated from: the schema, the options and ajv's version. */
export function schemaHash(schema: SchemaNode): string {
  return createHash('sha1').update(JSON.stringify([ajvVersion(), AJV_OPTIONS, FORMATS, schema])).digest('base64');
}

function standaloneModule(): typeof standalone {
  if (standalone === undefined) {
    const embedded = embeddedResult('standaloneValidators');
    if (embedded) {
      standalone = { validators: embedded, sameBuild: true };
    } else {
      const file = precompiledFile(STANDALONE_VALIDATORS_FILE);
      standalone = file ? { validators: require(file) as StandaloneModule, sameBuild: false } : null;
    }
  }
  return standalone;
}

/**
 * The validator of a schema, made once per process under `name`: the standalone one
 * `npm run build` generated when it matches the schema (or is embedded in the app bundle
 * with it), else compiled now.
 * Every schema of the project is validated this way (the cluster file's too).
 * @internal
 */
export function schemaValidator(name: string, schema: () => SchemaNode): ValidateFunction {
  let validate = validators.get(name);
  if (!validate) {
    const generated = standaloneModule();
    const candidate = generated?.validators[name];
    // The schema is built only when needed: for the hash, or to compile it.
    if (typeof candidate === 'function' && (generated!.sameBuild || generated!.validators.schemaHashes[name] === schemaHash(schema()))) {
      validate = candidate as ValidateFunction;
    } else {
      ajv ??= createAjv();
      validate = ajv.compile(schema());
    }
    validators.set(name, validate);
  }
  return validate;
}

function validatorFor(name: SchemaName): ValidateFunction {
  return schemaValidator(name, VALIDATOR_SCHEMAS[name]);
}

/** Compiles every validator now (for timing, or to pay the cost up front). */
export function warmUpSchemas(): void {
  for (const name of ['NodePool', 'EC2NodeClass', 'NodeConfig'] as const) validatorFor(name);
}

/** Validates a plain JSON object against one of the schemas. */
export function validateSchema(name: SchemaName, value: unknown): SchemaViolation[] {
  const validate = validatorFor(name);
  if (validate(value)) return [];
  return toViolations(validate.errors ?? [], value);
}

function toViolations(errors: readonly ErrorObject[], root: unknown): SchemaViolation[] {
  // An int-or-string field reports "must match a schema in anyOf" plus one error per branch;
  // the anyOf error alone says it best.
  const anyOfPaths = new Set(errors.filter((e) => e.keyword === 'anyOf').map((e) => e.instancePath));
  const violations = errors
    .filter((e) => e.keyword === 'anyOf' || !anyOfPaths.has(e.instancePath))
    .map((e) => toViolation(e, root));
  const seen = new Set<string>();
  return violations.filter((v) => {
    const key = `${v.jsonPath}\0${v.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function toViolation(error: ErrorObject, root: unknown): SchemaViolation {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties': {
      const property = String(params.additionalProperty);
      const jsonPath = childPointer(error.instancePath, property);
      return { jsonPath, value: valueAt(root, jsonPath), message: `unknown field ${JSON.stringify(property)}: it is not in the schema (check spelling and indentation)${allowedProperties(error)}` };
    }
    case 'required': {
      const property = String(params.missingProperty);
      return { jsonPath: childPointer(error.instancePath, property), value: undefined, message: `required field ${JSON.stringify(property)} is missing` };
    }
    case 'enum':
      return { jsonPath: error.instancePath, value: valueAt(root, error.instancePath), message: `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}` };
    case 'pattern':
      return { jsonPath: error.instancePath, value: valueAt(root, error.instancePath), message: `must match the pattern ${String(params.pattern)}` };
    case 'anyOf':
      return { jsonPath: error.instancePath, value: valueAt(root, error.instancePath), message: 'must be an integer or a string (quantity)' };
    default:
      return { jsonPath: error.instancePath, value: valueAt(root, error.instancePath), message: error.message ?? `fails ${error.keyword}` };
  }
}

function allowedProperties(error: ErrorObject): string {
  const properties = (error.parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties;
  if (!properties) return '';
  return `; allowed: ${Object.keys(properties).join(', ')}`;
}

/** Resolves a JSON pointer against a value. */
export function valueAt(root: unknown, pointer: string): unknown {
  let current: unknown = root;
  for (const key of pointerKeys(pointer)) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}
