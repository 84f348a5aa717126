import { ApiObject, App } from 'cdk8s';
import { formatFinding, formatFindings } from '../validation/format-findings';
import { ValidateOptions, validateManifests } from '../validation/validate-manifests';
import { ChartManifests, KubeObject } from './manifest-files';

/** Thrown when the synthesized manifests do not pass validation; the message lists every finding. */
export class ValidationFailedError extends Error {
  public override readonly name = 'ValidationFailedError';
}

/** Options of {@link validationGate}. */
export interface ValidationGateOptions {
  /**
   * Validate for Helm output (`{{`/`}}` in values would be templated).
   * @default false
   */
  readonly helm?: boolean;
  /**
   * Where warnings go.
   * @default - standard error
   */
  readonly warn?: (line: string) => void;
}

/**
 * A `check` for {@link synthToDist}: validates each chart (one cluster) on its
 * own, so a NodePool can only use an EC2NodeClass of its own cluster; prints
 * warnings and throws {@link ValidationFailedError} on any error. Findings name
 * the construct path of the object they concern.
 */
export function validationGate(app: App, options: ValidationGateOptions = {}): (charts: readonly ChartManifests[]) => void {
  const warn = options.warn ?? ((line: string) => console.error(line));
  return (charts) => {
    const sourceOf = constructPaths(app);
    const failures: string[] = [];
    for (const chart of charts) {
      const validateOptions: ValidateOptions = { helm: options.helm, sourceOf: (manifest) => sourceOf(manifest as KubeObject) ?? chart.chartId };
      const report = validateManifests(chart.manifests, validateOptions);
      report.warnings.forEach((w) => warn(formatFinding(w)));
      if (report.errors.length > 0) failures.push(formatFindings(report));
    }
    if (failures.length > 0) {
      throw new ValidationFailedError(`validation failed:\n${failures.join('\n')}`);
    }
  };
}

/** Maps a synthesized object back to the construct that made it (the L2, not its `Resource` child). */
function constructPaths(app: App): (manifest: KubeObject) => string | undefined {
  const paths = new Map<string, string>();
  for (const construct of app.node.findAll()) {
    if (!ApiObject.isApiObject(construct)) continue;
    const owner = construct.node.id === 'Resource' && construct.node.scope ? construct.node.scope : construct;
    paths.set(`${construct.kind}/${construct.name}`, owner.node.path);
  }
  return (manifest) => paths.get(`${manifest.kind}/${manifest.metadata?.name}`);
}
