import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { ConfigError } from '../errors';
import { pointerKeys } from '../validation/finding';
import { formatFinding } from '../validation/format-findings';
import { keptForPass } from '../validation/synthesis-pass';
import { validateManifests, validateObject } from '../validation/validate-manifests';

/**
 * Checks the object a construct built against the pinned CRD (schema and CEL
 * rules) and, for an EC2NodeClass, its user data, and throws a ConfigError for
 * the first problem. The props checks in each construct give the friendliest
 * messages for common mistakes; this catches everything else the API server
 * or nodeadm would reject, at construction, with the construct path.
 */
export function checkCrdConformance(scope: Construct, resource: ApiObject): void {
  const errors = validateObject(resource.toJson(), scope.node.path).filter((f) => f.severity === 'error');
  if (errors.length === 0) return;
  const [first] = errors;
  const others = [...new Set(errors.map((e) => fieldOf(e.jsonPath)))].filter((field) => field !== fieldOf(first.jsonPath));
  const more = others.length > 0 ? ` (also invalid: ${others.join(', ')})` : '';
  throw new ConfigError(scope.node.path, fieldOf(first.jsonPath), first.value, `${first.message}${more}`);
}

/** `/spec/template/metadata/labels/karpenter.sh~1nodepool` → `spec.template.metadata.labels["karpenter.sh/nodepool"]`. */
export function fieldOf(jsonPointer: string): string {
  return pointerKeys(jsonPointer).reduce((path, key) => {
    if (/^\d+$/.test(key)) return `${path}[${key}]`;
    if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(key)) return path ? `${path}.${key}` : key;
    return `${path}[${JSON.stringify(key)}]`;
  }, '');
}

/**
 * Validates the object again when the app is synthesized (`App.synth`,
 * `Testing.synth`, `chart.toJson`, `runSynth`), as finally rendered, escape-hatch
 * patches included, with the objects it depends on (a NodePool's node class):
 * schema, CEL and every SOCI guard. Errors about this object fail the synth;
 * acknowledged guards and warnings do not (`runSynth` prints the warnings).
 * Within one synthesis of all charts the answer is kept (see synthesis-pass.ts).
 */
export function validateAtSynth(scope: Construct, resource: ApiObject, related: () => readonly ApiObject[] = () => []): void {
  scope.node.addValidation({
    validate: keptForPass(() => validateManifests([resource.toJson()], {
      sourceOf: () => scope.node.path,
      context: related().map((r) => r.toJson()),
    }).errors.map(formatFinding)),
  });
}
