/** Synth-time validation of Karpenter NodePools and EC2NodeClasses that turn on SOCI. */
export { ACKNOWLEDGE_ANNOTATION, SociGuard, acknowledgementHint } from './acknowledgements';
export type { Finding, Severity, ValidationReport } from './finding';
export { formatFinding, formatFindings } from './format-findings';
export { readBottlerocketUserData, readNodeadmUserData } from './user-data-reader';
export type { ReadUserData, UserDataPartView, NodeConfigDocument } from './user-data-reader';
export { countCelRules } from './cel-rules';
export { warmUpSchemas } from './schema-validator';
export { validateManifests, validateObject } from './validate-manifests';
export type { ValidateOptions } from './validate-manifests';
export { validateClusters } from './clusters';
export type { ClusterManifests, ValidateClustersOptions } from './clusters';
export { KubeTypeSchema } from './kube-type-schema';
export type { KubeTypeViolation } from './kube-type-schema';
