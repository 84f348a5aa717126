import * as path from 'node:path';
import { ClusterSpec } from '../clusters/cluster-file';
import { ConfigError } from '../errors';
import { clusterValues } from '../helm/chart-values';
import { CHART_NAME } from '../helm/helm-chart';
import { replaceDirAtomically } from '../output/atomic-dir';
import { manifestYaml } from '../output/manifest-yaml';
import { GENERATED_HEADER } from '../output/output-folder';
import { ArgoCdOptions, argoFoldersApplicationSet, argoHelmApplicationSet, GITOPS_NAME } from './argo-cd';
import { FluxOptions, fluxGitRepository, fluxHelmRelease, fluxKustomization } from './flux';
import { GitOpsSource, resolveGitOpsSource } from './gitops-source';

/** Options of {@link renderGitOpsFiles} and {@link synthGitOps}. */
export interface GitOpsOptions {
  /** The Git repository and branch Argo CD and Flux read `dist/` from. */
  readonly source: GitOpsSource;
  /**
   * The Helm chart's folder name under `<distPath>/helm/`.
   * @default CHART_NAME ('karpenter-soci')
   */
  readonly chartName?: string;
  /**
   * The clusters the Helm chart serves, that is those with a values file (see {@link chartClusters});
   * the others get only the plain-folder ApplicationSet element and Flux Kustomization.
   * @default - every cluster
   */
  readonly helmClusters?: readonly string[];
  /**
   * Argo CD namespace and project.
   * @default - namespace argocd, project default
   */
  readonly argoCd?: ArgoCdOptions;
  /**
   * Flux namespace and interval.
   * @default - namespace flux-system, interval 10m
   */
  readonly flux?: FluxOptions;
}

/**
 * The `dist/gitops/` layout, for the names of the clusters in `dist/`:
 *
 *   argocd/applicationset-folders.yaml   one Application per cluster from `dist/<cluster>/`
 *   argocd/applicationset-helm.yaml      the same Applications from the Helm chart and values files
 *   flux/<cluster>/karpenter-soci.yaml   GitRepository + Kustomization of `dist/<cluster>/`
 *   flux-helm/<cluster>/karpenter-soci.yaml  GitRepository + HelmRelease of the chart
 *
 * The Helm files cover `helmClusters` only (no file when there are none).
 * The two Argo CD files are alternatives (both name their ApplicationSet `karpenter-soci`),
 * and so are the two Flux folders. Pure: the same input always gives the same bytes.
 *
 * @returns file contents keyed by path relative to `dist/gitops/`
 */
export function renderGitOpsFiles(clusters: readonly string[], options: GitOpsOptions): Map<string, string> {
  const source = resolveGitOpsSource(options.source);
  const chartName = options.chartName ?? CHART_NAME;
  const names = [...clusters].sort();
  const helmNames = [...(options.helmClusters ?? names)].sort();
  const unknown = helmNames.find((name) => !names.includes(name));
  if (unknown !== undefined) throw new ConfigError('renderGitOpsFiles', 'helmClusters', unknown, `one of the clusters: ${names.join(', ')}`);
  // What cdk8s's Yaml.stringify(...objects) writes, byte for byte, through the fast writer.
  const file = (...objects: object[]) => GENERATED_HEADER + objects.map(manifestYaml).join('---\n');

  const files = new Map<string, string>();
  files.set('argocd/applicationset-folders.yaml', file(argoFoldersApplicationSet(names, source, options.argoCd)));
  if (helmNames.length > 0) files.set('argocd/applicationset-helm.yaml', file(argoHelmApplicationSet(helmNames, source, chartName, options.argoCd)));
  const repository = fluxGitRepository(source, options.flux);
  for (const cluster of names) {
    files.set(`flux/${cluster}/${GITOPS_NAME}.yaml`, file(repository, fluxKustomization(cluster, source, options.flux)));
  }
  for (const cluster of helmNames) {
    files.set(`flux-helm/${cluster}/${GITOPS_NAME}.yaml`, file(repository, fluxHelmRelease(cluster, source, chartName, options.flux)));
  }
  return files;
}

/**
 * The clusters the Helm chart serves: those whose cluster file it can express as values (the
 * others get no values file, and are delivered from their plain `dist/<cluster>/` folder only).
 */
export function chartClusters(clusters: readonly ClusterSpec[]): string[] {
  return clusters.filter((cluster) => {
    try {
      clusterValues(cluster);
      return true;
    } catch (err) {
      if (err instanceof ConfigError) return false;
      throw err;
    }
  }).map((cluster) => cluster.name);
}

/**
 * Writes {@link renderGitOpsFiles} to `outdir`, replacing it whole; on any error nothing is written.
 *
 * @returns the paths written, relative to `outdir`
 */
export function synthGitOps(clusters: readonly string[], options: GitOpsOptions & { readonly outdir?: string }): string[] {
  const files = renderGitOpsFiles(clusters, options);
  replaceDirAtomically(options.outdir ?? path.join('dist', 'gitops'), files);
  return [...files.keys()].sort();
}
