/**
 * JSON-schema validation of NodePools, EC2NodeClasses and embedded NodeConfig
 * documents with ajv. Validators are compiled once per process, on first use,
 * because compiling is the expensive part (about 0.1 s per CRD).
 */
import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { childPointer, pointerKeys } from './finding';
import { ec2NodeClassCrdSchema, karpenterAjvSchema, nodeConfigAjvSchema, nodePoolCrdSchema } from './schemas';

/** One schema violation, before it is attached to an object. */
export interface SchemaViolation {
  readonly jsonPath: string;
  readonly value: unknown;
  readonly message: string;
}

export type SchemaName = 'NodePool' | 'EC2NodeClass' | 'NodeConfig';

const compiled = new Map<SchemaName, ValidateFunction>();
let ajv: Ajv | undefined;

function schemaFor(name: SchemaName): Record<string, unknown> {
  switch (name) {
    case 'NodePool':
      return karpenterAjvSchema(nodePoolCrdSchema());
    case 'EC2NodeClass':
      return karpenterAjvSchema(ec2NodeClassCrdSchema());
    case 'NodeConfig':
      return nodeConfigAjvSchema();
  }
}

function validatorFor(name: SchemaName): ValidateFunction {
  let validate = compiled.get(name);
  if (!validate) {
    if (!ajv) {
      // strict: false because CRD schemas carry Kubernetes extensions (x-kubernetes-*) and
      // array-level maxLength/pattern (NodePool requirements[].values) that strict mode rejects.
      ajv = new Ajv({ strict: false, allErrors: true, verbose: true });
      addFormats(ajv, ['int32', 'int64', 'date-time', 'byte']);
    }
    validate = ajv.compile(schemaFor(name));
    compiled.set(name, validate);
  }
  return validate;
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
