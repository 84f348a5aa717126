import * as fs from 'node:fs';
import * as path from 'node:path';
import { ClusterSpec } from '../clusters/cluster-file';
import { ConfigError } from '../errors';
import { replaceDirAtomically } from '../output/atomic-dir';
import { renderHelmChart } from './helm-chart';

/** Options of {@link synthHelm}. */
export interface SynthHelmOptions {
  /** The loaded clusters; each gets a values file. */
  readonly clusters: readonly ClusterSpec[];
  /** The cluster whose values are the chart's defaults. */
  readonly defaultCluster: string;
  /** The chart version. */
  readonly version: string;
  /**
   * The folder to replace with the chart and the values files.
   * @default 'dist/helm'
   */
  readonly outdir?: string;
  /**
   * Where the note about a cluster the chart cannot serve goes.
   * @default - standard error
   */
  readonly warn?: (line: string) => void;
}

/**
 * The Helm chart (`karpenter-soci/`) and one values file per cluster the chart can serve
 * (`values/<cluster>.yaml`), keyed by path; a note goes to `warn` for each other cluster.
 */
export function renderHelmOutput(options: Omit<SynthHelmOptions, 'outdir'>): Map<string, string> {
  const defaults = options.clusters.find((c) => c.name === options.defaultCluster);
  if (!defaults) {
    throw new ConfigError('synthHelm', 'defaultCluster', options.defaultCluster, `the name of a loaded cluster: ${options.clusters.map((c) => c.name).join(', ')}`);
  }
  const warn = options.warn ?? ((line: string) => console.error(line));
  return renderHelmChart({
    version: options.version,
    defaults,
    clusters: options.clusters,
    // Not an error: the cluster is delivered from its plain folder. Say which field, not "is invalid".
    onUnsupported: (cluster, reason) => warn(`NOTE [helm] ${cluster.name} gets no values file: ${path.relative('.', reason.where)}: ${reason.field}: ${reason.allowed}`),
  });
}

/**
 * Writes {@link renderHelmOutput} to `outdir`, replacing it whole; on any error nothing is written.
 *
 * @returns the paths written, relative to `outdir`
 */
export function synthHelm(options: SynthHelmOptions): string[] {
  const files = renderHelmOutput(options);
  replaceDirAtomically(options.outdir ?? path.join('dist', 'helm'), files);
  return [...files.keys()].sort();
}

/** The `version` of a package.json. */
export function packageVersion(packageJson: string): string {
  return (JSON.parse(fs.readFileSync(packageJson, 'utf8')) as { version: string }).version;
}
