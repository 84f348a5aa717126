/**
 * The cdk8s validation plugin: `cdk8s synth` hands it the synthesized YAML
 * files; it groups them into clusters (one per chart) and validates them with
 * {@link validateClusters}, exactly as the app's own synth does, then reports
 * every error as a violation (synth then exits with code 2) and logs the warnings.
 *
 * The CLI `require`s plugins as CommonJS, so this file is bundled with its
 * dependencies into plugin/karpenter-soci-validation.js (scripts/build-plugin.ts).
 */
import * as path from 'node:path';
import { describeValue } from '../errors';
import { Finding } from './finding';
import { clusterOfFile, constructMetadataKey, isHelmTemplatesFolder, validateClusters } from './clusters';
import { formatFinding } from './format-findings';

/** `properties:` of the plugin's entry in cdk8s.yaml. */
export interface KarpenterSociValidationProperties {
  /**
   * The output is a Helm chart. Default: detected from a Chart.yaml next to the templates folder.
   */
  readonly helm?: boolean;
  /** The chart's templates escape `{{`/`}}`, so braces in values are safe. Default false. */
  readonly helmEscaping?: boolean;
}

/** The parts of cdk8s-cli's ValidationContext the plugin uses. */
export interface PluginContext {
  readonly manifests: readonly string[];
  readonly metadata?: { readonly [resourceName: string]: { readonly path: string } };
  parseManifest(manifestPath: string): unknown[];
  readonly report: {
    addViolation(violation: PluginViolation): void;
    submit(status: 'success' | 'failure', metadata?: { readonly [key: string]: string }): void;
  };
  readonly logger: { log(message: string): void };
}

export interface PluginViolation {
  readonly ruleName: string;
  readonly recommendation: string;
  readonly fix: string;
  readonly violatingResources: ReadonlyArray<{ readonly resourceName: string; readonly locations: readonly string[]; readonly manifestPath: string }>;
}

/** Generic fixes for findings whose message does not carry a `Fix:` sentence. */
const GENERIC_FIX: Readonly<Record<string, string>> = {
  'schema': "Change the value to match the CRD schema named in the recommendation (the construct's typed props prevent most of these).",
  'cel': 'Change the object so the rule holds; the API server would reject it on create.',
  'node-config-schema': 'Fix the NodeConfig document in the user data (apiVersion node.eks.aws/v1alpha1, kind NodeConfig, exact field names).',
  'user-data-format': 'Render user data with the bootstrap builder, or follow the MIME rules: blank line after headers, --boundary lines, "#!" first in scripts.',
  'node-class-ref': 'Point nodeClassRef at an EC2NodeClass synthesized in the same app, or add that EC2NodeClass.',
  'duplicate-name': 'Give every NodePool and EC2NodeClass a unique metadata.name.',
};

/** One object as the plugin read it: its cluster, its file and where it came from. */
interface ReadObject {
  readonly cluster: string;
  readonly file: string;
  readonly manifest: object;
  /** The file and, from the construct metadata, the construct path: how findings name it. */
  readonly source: string;
}

export class KarpenterSociValidation {
  public constructor(private readonly properties: KarpenterSociValidationProperties = {}) {}

  public async validate(context: PluginContext): Promise<void> {
    const read = context.manifests.flatMap((file) => context.parseManifest(file)
      .filter((doc): doc is object => doc !== null && typeof doc === 'object')
      .map((manifest) => ({ cluster: clusterOfFile(file), file, manifest })));
    const constructPathOf = constructPaths(context.metadata, read.map((o) => o.manifest));
    const objects: ReadObject[] = read.map((o) => ({ ...o, source: describeSource(o.file, constructPathOf(o.cluster, o.manifest)) }));
    const clusters = new Map<string, object[]>();
    for (const { cluster, manifest } of objects) {
      if (!clusters.has(cluster)) clusters.set(cluster, []);
      clusters.get(cluster)!.push(manifest);
    }
    const sourceOf = new Map(objects.map((o) => [o.manifest, o.source]));

    const started = performance.now();
    const report = validateClusters([...clusters].map(([cluster, manifests]) => ({ cluster, manifests })), {
      helm: this.properties.helm ?? context.manifests.some((file) => isHelmTemplatesFolder(path.dirname(file))),
      helmEscaping: this.properties.helmEscaping ?? false,
      sourceOf: (_cluster, manifest) => sourceOf.get(manifest),
    });
    const millis = Math.round(performance.now() - started);

    for (const error of report.errors) context.report.addViolation(toViolation(error, objects, context.metadata));
    for (const warning of report.warnings) context.logger.log(formatFinding(warning));
    context.logger.log(
      `karpenter-soci: ${objects.length} object(s) in ${clusters.size} cluster(s), ${report.errors.length} error(s), ${report.warnings.length} warning(s); ` +
        `CEL rules evaluated ${report.celRulesEvaluated}, skipped (oldSelf) ${report.celRulesSkipped}; ${millis} ms`,
    );
    context.report.submit(report.errors.length > 0 ? 'failure' : 'success', {
      errors: String(report.errors.length),
      warnings: String(report.warnings.length),
      celRulesEvaluated: String(report.celRulesEvaluated),
      celRulesSkipped: String(report.celRulesSkipped),
    });
  }
}

function toViolation(f: Finding, objects: readonly ReadObject[], metadata: PluginContext['metadata']): PluginViolation {
  const [why, fix] = splitFix(f.message);
  const object = objects.find((o) => o.source === f.source && kindOf(o.manifest) === f.kind && nameOf(o.manifest) === f.name);
  const key = object ? constructMetadataKey(object.cluster, f.kind, f.name) : undefined;
  return {
    ruleName: `${f.rule}: ${f.kind}/${f.name} ${f.jsonPath || '/'}`,
    recommendation: `${why} (value: ${describeValue(f.value)})`,
    fix: fix ?? GENERIC_FIX[f.rule] ?? 'See the recommendation.',
    // cdk8s-cli looks resourceName up in the construct metadata to print the construct path.
    violatingResources: [{
      resourceName: key && metadata?.[key] ? key : f.name,
      locations: [f.jsonPath || '/'],
      manifestPath: object ? object.file : f.source,
    }],
  };
}

/** Splits "why ... Fix: how ..." into its two halves. */
function splitFix(message: string): [string, string | undefined] {
  const at = message.indexOf(' Fix: ');
  return at < 0 ? [message, undefined] : [message.slice(0, at), message.slice(at + ' Fix: '.length)];
}

function kindOf(manifest: object): unknown {
  return (manifest as { kind?: unknown }).kind;
}

function nameOf(manifest: object): unknown {
  return (manifest as { metadata?: { name?: unknown } }).metadata?.name;
}

/**
 * Construct paths from construct-metadata.json, keyed by cluster, kind and name
 * (written by this project's synth). cdk8s's own file keys them by name alone;
 * such an entry is used only for a name that no other object carries.
 */
function constructPaths(metadata: PluginContext['metadata'], manifests: readonly object[]): (cluster: string, manifest: object) => string | undefined {
  const nameCounts = new Map<unknown, number>();
  for (const manifest of manifests) nameCounts.set(nameOf(manifest), (nameCounts.get(nameOf(manifest)) ?? 0) + 1);
  return (cluster, manifest) => {
    const [kind, name] = [kindOf(manifest), nameOf(manifest)];
    if (typeof kind !== 'string' || typeof name !== 'string') return undefined;
    return metadata?.[constructMetadataKey(cluster, kind, name)]?.path ?? (nameCounts.get(name) === 1 ? metadata?.[name]?.path : undefined);
  };
}

function describeSource(file: string, constructPath?: string): string {
  const relative = path.relative(process.cwd(), file) || file;
  return constructPath ? `${relative} (${constructPath})` : relative;
}
