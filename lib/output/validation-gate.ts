import { App } from 'cdk8s';
import { validateClusters } from '../validation/clusters';
import { formatFinding, formatFindings } from '../validation/format-findings';
import { ChartManifests, KubeObject, objectKey, synthesizeCharts } from './manifest-files';

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
   * The Helm chart's templates escape `{{`/`}}` themselves, so braces in values are safe.
   * @default false
   */
  readonly helmEscaping?: boolean;
  /**
   * Where warnings go.
   * @default - standard error
   */
  readonly warn?: (line: string) => void;
}

/**
 * A `check` for {@link synthToDist}: validates each chart (one cluster) on its
 * own with {@link validateClusters}, as the cdk8s validation plugin does, so a
 * NodePool can only use an EC2NodeClass of its own cluster; prints warnings and
 * throws {@link ValidationFailedError} on any error. Findings name the construct
 * path of the object they concern.
 */
export function validationGate(app: App, options: ValidationGateOptions = {}): (charts: readonly ChartManifests[]) => void {
  const warn = options.warn ?? ((line: string) => console.error(line));
  return (charts) => {
    // Charts made by synthesizeCharts carry their construct paths; others are looked up in the app.
    let fromApp: Map<string, ChartManifests> | undefined;
    const sourcesOf = (chart: ChartManifests) => chart.sources ?? (fromApp ??= new Map(synthesizeCharts(app).map((c) => [c.chartId, c]))).get(chart.chartId)?.sources;
    const byId = new Map(charts.map((chart) => [chart.chartId, chart]));
    const report = validateClusters(charts.map((chart) => ({ cluster: chart.chartId, manifests: chart.manifests })), {
      helm: options.helm,
      helmEscaping: options.helmEscaping,
      sourceOf: (cluster, manifest) => {
        const { kind, metadata } = manifest as KubeObject;
        return sourcesOf(byId.get(cluster)!)?.get(objectKey(kind, metadata?.name));
      },
    });
    report.warnings.forEach((w) => warn(formatFinding(w)));
    if (report.errors.length > 0) {
      throw new ValidationFailedError(`validation failed:\n${formatFindings(report)}`);
    }
  };
}
