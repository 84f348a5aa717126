/**
 * The cdk8s validation plugin: `cdk8s synth` hands it the synthesized YAML
 * files and it reports every error of {@link validateManifests} as a
 * violation (synth then exits with code 2) and logs the warnings.
 *
 * The CLI `require`s plugins as CommonJS, so this file is bundled with its
 * dependencies into plugin/karpenter-soci-validation.js (scripts/build-plugin.ts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describeValue } from '../errors';
import { Finding } from './finding';
import { formatFinding } from './format-findings';
import { validateManifests } from './validate-manifests';

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

export class KarpenterSociValidation {
  public constructor(private readonly properties: KarpenterSociValidationProperties = {}) {}

  public async validate(context: PluginContext): Promise<void> {
    const manifests: object[] = [];
    const files: string[] = [];
    for (const file of context.manifests) {
      for (const doc of context.parseManifest(file)) {
        if (doc === null || typeof doc !== 'object') continue;
        manifests.push(doc);
        files.push(file);
      }
    }
    const started = performance.now();
    const report = validateManifests(manifests, {
      helm: this.properties.helm ?? isHelmChart(context.manifests),
      helmEscaping: this.properties.helmEscaping ?? false,
      sourceOf: (manifest, index) => sourceOf(manifest, files[index], context.metadata),
    });
    const millis = Math.round(performance.now() - started);

    for (const error of report.errors) context.report.addViolation(toViolation(error, files, manifests));
    for (const warning of report.warnings) context.logger.log(formatFinding(warning));
    context.logger.log(
      `karpenter-soci: ${manifests.length} object(s), ${report.errors.length} error(s), ${report.warnings.length} warning(s); ` +
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

function toViolation(f: Finding, files: readonly string[], manifests: readonly object[]): PluginViolation {
  const [why, fix] = splitFix(f.message);
  const index = manifests.findIndex((m) => sourceMatches(f, m));
  return {
    ruleName: `${f.rule}: ${f.kind}/${f.name} ${f.jsonPath || '/'}`,
    recommendation: `${why} (value: ${describeValue(f.value)})`,
    fix: fix ?? GENERIC_FIX[f.rule] ?? 'See the recommendation.',
    violatingResources: [{ resourceName: f.name, locations: [f.jsonPath || '/'], manifestPath: index >= 0 ? files[index] : f.source }],
  };
}

function sourceMatches(f: Finding, manifest: object): boolean {
  const m = manifest as { kind?: unknown; metadata?: { name?: unknown } };
  return m.kind === f.kind && m.metadata?.name === f.name;
}

/** Splits "why ... Fix: how ..." into its two halves. */
function splitFix(message: string): [string, string | undefined] {
  const at = message.indexOf(' Fix: ');
  return at < 0 ? [message, undefined] : [message.slice(0, at), message.slice(at + ' Fix: '.length)];
}

function sourceOf(manifest: object, file: string, metadata: PluginContext['metadata']): string {
  const name = (manifest as { metadata?: { name?: unknown } }).metadata?.name;
  const constructPath = typeof name === 'string' ? metadata?.[name]?.path : undefined;
  const relative = path.relative(process.cwd(), file) || file;
  return constructPath ? `${relative} (${constructPath})` : relative;
}

/** `cdk8s synth --format helm` writes manifests to <outdir>/templates/ beside Chart.yaml. */
function isHelmChart(manifests: readonly string[]): boolean {
  return manifests.some((file) => path.basename(path.dirname(file)) === 'templates' && fs.existsSync(path.join(path.dirname(file), '..', 'Chart.yaml')));
}
