/**
 * The validator: a pure function from synthesized manifests (plain JSON, as
 * parsed from YAML) to findings. Used in-process by the app's synth and by
 * the cdk8s validation plugin.
 */
import { evaluateCelRules } from './cel-rules';
import { Finding, finding, ObjectRef, ValidationReport } from './finding';
import { GuardTarget, userDataPath } from './guard-finding';
import { at, EC2_NODE_CLASS, isEc2NodeClass, isNodePool, isObject, Json, nameOf, refOf } from './manifest-kinds';
import { checkManualInstall } from './manual-install-guards';
import { NodeClassFacts, nodeClassFacts } from './node-class-facts';
import { checkKarpenterOverrides, checkLatestAlias } from './override-warnings';
import { validateSchema } from './schema-validator';
import { ec2NodeClassCrdSchema, nodePoolCrdSchema } from './schemas';
import {
  checkAmiReleases, checkContainerdConfig, checkEbsThroughput, checkHelmBraces, checkSmallInstances, checkSociConfig, checkUserDataSize,
} from './soci-guards';

export const SCHEMA_RULE = 'schema';
export const CEL_RULE = 'cel';
export const NODE_CONFIG_SCHEMA_RULE = 'node-config-schema';
export const USER_DATA_FORMAT_RULE = 'user-data-format';
export const NODE_CLASS_REF_RULE = 'node-class-ref';
export const DUPLICATE_NAME_RULE = 'duplicate-name';

export interface ValidateOptions {
  /** The output is a Helm chart: `{{`/`}}` in values would be parsed as templates. */
  readonly helm?: boolean;
  /** The Helm output escapes braces itself, so they are safe. */
  readonly helmEscaping?: boolean;
  /** Names where a manifest came from (construct path or file); defaults to `manifest #<index>`. */
  readonly sourceOf?: (manifest: object, index: number) => string;
  /**
   * Objects the manifests refer to (a NodePool's EC2NodeClass), read for what the
   * checks need but not validated themselves: they give no findings.
   */
  readonly context?: readonly object[];
}

interface Counters {
  evaluated: number;
  skipped: number;
}

export function validateManifests(manifests: readonly object[], options: ValidateOptions = {}): ValidationReport {
  const findings: Finding[] = [];
  const counters: Counters = { evaluated: 0, skipped: 0 };
  const sourceOf = options.sourceOf ?? ((_m: object, i: number) => `manifest #${i}`);
  // YAML files can hold empty documents; only objects can be Kubernetes objects.
  const targets = manifests.flatMap((manifest, index) => (isObject(manifest) ? [{ manifest, ref: refOf(manifest, sourceOf(manifest, index)) }] : []));

  const nodeClasses = new Map<string, NodeClassFacts>();
  const validatedNames = new Set<string>();
  for (const manifest of (options.context ?? []).filter((m) => isObject(m) && isEc2NodeClass(m))) {
    nodeClasses.set(nameOf(manifest as Json), nodeClassFacts(manifest as Json));
  }
  for (const target of targets.filter((t) => isEc2NodeClass(t.manifest))) {
    const facts = nodeClassFacts(target.manifest);
    if (validatedNames.has(target.ref.name)) findings.push(duplicate(target.ref));
    validatedNames.add(target.ref.name);
    nodeClasses.set(target.ref.name, facts);
    findings.push(...validateNodeClass(target, facts, counters));
  }
  const nodePoolNames = new Set<string>();
  for (const target of targets.filter((t) => isNodePool(t.manifest))) {
    if (nodePoolNames.has(target.ref.name)) findings.push(duplicate(target.ref));
    nodePoolNames.add(target.ref.name);
    findings.push(...validateNodePool(target, nodeClasses, counters));
  }
  if (options.helm && !options.helmEscaping) {
    for (const target of targets) findings.push(...checkHelmBraces(target));
  }
  return {
    findings,
    errors: findings.filter((f) => f.severity === 'error'),
    warnings: findings.filter((f) => f.severity === 'warning'),
    celRulesEvaluated: counters.evaluated,
    celRulesSkipped: counters.skipped,
  };
}

function duplicate(ref: ObjectRef): Finding {
  return finding(ref, 'error', DUPLICATE_NAME_RULE, '/metadata/name', ref.name, `another ${ref.kind} is also named ${JSON.stringify(ref.name)}; both are cluster-scoped, so one would overwrite the other. Give each a unique name.`);
}

/** Schema and CEL findings of one Karpenter object. */
function validateCrd(target: GuardTarget, kind: 'NodePool' | 'EC2NodeClass', counters: Counters): Finding[] {
  const schemaFindings = validateSchema(kind, target.manifest).map((v) => finding(target.ref, 'error', SCHEMA_RULE, v.jsonPath, v.value, `${v.message} (${kind} schema, Karpenter v1.14.1)`));
  const cel = evaluateCelRules(kind === 'NodePool' ? nodePoolCrdSchema() : ec2NodeClassCrdSchema(), target.manifest);
  counters.evaluated += cel.evaluated;
  counters.skipped += cel.skipped;
  const celFindings = cel.violations.map((v) => finding(target.ref, 'error', CEL_RULE, v.jsonPath, v.value, `${v.message} (rule: ${v.rule})`));
  return [...schemaFindings, ...celFindings];
}

function validateNodeClass(target: GuardTarget, facts: NodeClassFacts, counters: Counters): Finding[] {
  return [
    ...nodeClassStructure(target, facts, counters),
    ...checkEbsThroughput(target, facts),
    ...checkContainerdConfig(target, facts),
    ...checkSociConfig(target, facts),
    ...checkUserDataSize(target, facts),
    ...checkManualInstall(target.ref, facts),
    ...checkLatestAlias(target.ref, facts),
    ...checkKarpenterOverrides(target.ref, facts),
  ];
}

/**
 * What the API server or nodeadm would reject: the CRD schema and CEL rules, unreadable user data, invalid NodeConfig parts,
 * and SOCI features the pinned AMI release lacks or breaks on.
 */
function nodeClassStructure(target: GuardTarget, facts: NodeClassFacts, counters: Counters): Finding[] {
  const findings = [...validateCrd(target, 'EC2NodeClass', counters), ...checkAmiReleases(target, facts)];
  for (const problem of facts.read.problems) {
    findings.push(finding(target.ref, 'error', USER_DATA_FORMAT_RULE, userDataPath(), problem, `user data would be rejected or ignored on the node: ${problem}.`));
  }
  for (const { partIndex, document } of facts.read.nodeConfigs) {
    for (const v of validateSchema('NodeConfig', document)) {
      findings.push(finding(target.ref, 'error', NODE_CONFIG_SCHEMA_RULE, userDataPath(partIndex, v.jsonPath), v.value, `${v.message} (nodeadm NodeConfig node.eks.aws/v1alpha1; nodeadm fails or silently ignores it)`));
    }
  }
  return findings;
}

/**
 * The findings that make one object invalid on its own (schema, CEL, user data
 * format, NodeConfig schema): no judgement-call guards and no cross-object
 * checks. Constructs run it on the object they build, so props the CRD would
 * reject fail at construction, with the construct path.
 */
export function validateObject(manifest: object, source: string): Finding[] {
  const target = { manifest: manifest as Json, ref: refOf(manifest as Json, source) };
  const counters: Counters = { evaluated: 0, skipped: 0 };
  if (isEc2NodeClass(target.manifest)) return nodeClassStructure(target, nodeClassFacts(target.manifest), counters);
  if (isNodePool(target.manifest)) return validateCrd(target, 'NodePool', counters);
  return [];
}

function validateNodePool(target: GuardTarget, nodeClasses: ReadonlyMap<string, NodeClassFacts>, counters: Counters): Finding[] {
  const findings = validateCrd(target, 'NodePool', counters);
  const ref = at(target.manifest, 'spec', 'template', 'spec', 'nodeClassRef');
  if (!isObject(ref)) return findings; // the schema already reports it missing
  const path = '/spec/template/spec/nodeClassRef';
  if (ref.group !== 'karpenter.k8s.aws' || ref.kind !== EC2_NODE_CLASS.kind) {
    findings.push(finding(target.ref, 'error', NODE_CLASS_REF_RULE, path, ref, `nodeClassRef must be {group: karpenter.k8s.aws, kind: EC2NodeClass, name: ...}; Karpenter's AWS provider knows no other node class.`));
    return findings;
  }
  const facts = typeof ref.name === 'string' ? nodeClasses.get(ref.name) : undefined;
  if (!facts) {
    const known = [...nodeClasses.keys()].sort();
    findings.push(
      finding(target.ref, 'error', NODE_CLASS_REF_RULE, `${path}/name`, ref.name, `nodeClassRef names EC2NodeClass ${JSON.stringify(ref.name)}, which is not in the output; the API server does not check this and the NodePool would never launch nodes. ${known.length > 0 ? `EC2NodeClasses in the output: ${known.join(', ')}.` : 'The output holds no EC2NodeClass.'}`),
    );
    return findings;
  }
  if (facts.sociModes.has('native')) findings.push(...checkSmallInstances(target, nameOf(facts.manifest)));
  return findings;
}
