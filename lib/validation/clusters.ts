/**
 * How synthesized objects group into clusters, and how a cluster is named in the
 * files and construct metadata that cdk8s-cli hands to its validation plugins.
 *
 * A cluster is one chart: the app's synth validates chart by chart and writes one
 * `<chart>.k8s.yaml` per chart into the CLI's folder, and the plugin reads each of
 * those files back as one cluster. Both then run {@link validateClusters}, so they
 * see the same groups and report the same findings. Free of cdk8s, for the plugin bundle.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Finding, ValidationReport } from './finding';
import { ValidateOptions, validateManifests } from './validate-manifests';

/** The objects of one cluster. */
export interface ClusterManifests {
  /** The chart id: `dist/<cluster>/` and `<cluster>.k8s.yaml`. */
  readonly cluster: string;
  readonly manifests: readonly object[];
}

/** Options of {@link validateClusters}. */
export interface ValidateClustersOptions extends Pick<ValidateOptions, 'helm' | 'helmEscaping'> {
  /**
   * Names where an object came from (its construct path, or its file).
   * @default - the cluster name
   */
  readonly sourceOf?: (cluster: string, manifest: object) => string | undefined;
}

/**
 * Validates each cluster on its own and merges the reports: names need only be
 * unique within a cluster, and a NodePool may only use an EC2NodeClass of its own.
 */
export function validateClusters(clusters: readonly ClusterManifests[], options: ValidateClustersOptions = {}): ValidationReport {
  const findings: Finding[] = [];
  let celRulesEvaluated = 0;
  let celRulesSkipped = 0;
  for (const { cluster, manifests } of clusters) {
    const report = validateManifests(manifests, {
      helm: options.helm,
      helmEscaping: options.helmEscaping,
      sourceOf: (manifest) => options.sourceOf?.(cluster, manifest) ?? cluster,
    });
    findings.push(...report.findings);
    celRulesEvaluated += report.celRulesEvaluated;
    celRulesSkipped += report.celRulesSkipped;
  }
  return {
    findings,
    errors: findings.filter((f) => f.severity === 'error'),
    warnings: findings.filter((f) => f.severity === 'warning'),
    celRulesEvaluated,
    celRulesSkipped,
  };
}

/** The extension of the files cdk8s writes per chart. */
const CLI_MANIFEST_EXTENSION = '.k8s.yaml';

/** The file a cluster's objects are written to in cdk8s-cli's output folder. */
export function cliManifestFile(cluster: string): string {
  return `${cluster}${CLI_MANIFEST_EXTENSION}`;
}

/**
 * The cluster of a manifest file cdk8s-cli found: `<chart>.k8s.yaml` is the cluster
 * `<chart>`, the inverse of {@link cliManifestFile} (and cdk8s's own file per chart);
 * a file per resource (`<Kind>.<name>.k8s.yaml`, cdk8s's folder per chart) belongs
 * to the cluster of its folder.
 */
export function clusterOfFile(file: string): string {
  const base = path.basename(file);
  if (/^[A-Z][A-Za-z0-9]*\..+\.k8s\.yaml$/.test(base)) return path.basename(path.dirname(file));
  return base.replace(/(\.k8s)?\.ya?ml$/, '');
}

/**
 * The key of an object in construct-metadata.json: cluster, kind and name, since
 * one name can be used by several kinds and in several clusters.
 */
export function constructMetadataKey(cluster: string, kind: string, name: string): string {
  return `${cluster}:${kind}/${name}`;
}

/** `cdk8s synth --format helm` runs the app with its output in `<chart>/templates/`, beside Chart.yaml. */
export function isHelmTemplatesFolder(dir: string): boolean {
  return path.basename(dir) === 'templates' && fs.existsSync(path.join(dir, '..', 'Chart.yaml'));
}
