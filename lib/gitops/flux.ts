/**
 * Flux objects for one cluster: the GitRepository this project is committed to, and either
 * a Kustomization (kustomize.toolkit.fluxcd.io/v1) that applies the plain folder
 * `<distPath>/<cluster>/`, or a HelmRelease (helm.toolkit.fluxcd.io/v2) that installs the
 * chart with the cluster's values file. Each cluster's own Flux applies them.
 */
import { GITOPS_NAME } from './argo-cd';
import { ResolvedGitOpsSource } from './gitops-source';

export interface FluxOptions {
  /**
   * Namespace of the Flux objects.
   * @default 'flux-system'
   */
  readonly namespace?: string;
  /**
   * How often Flux fetches the repository and reconciles, as a Go duration.
   * @default '10m'
   */
  readonly interval?: string;
}

/** The Flux source: the repository and branch holding `dist/`. */
export function fluxGitRepository(source: ResolvedGitOpsSource, options: FluxOptions = {}): object {
  return fluxObject('source.toolkit.fluxcd.io/v1', 'GitRepository', options, {
    url: source.repoURL,
    ref: { branch: source.branch },
  });
}

/** Applies `<distPath>/<cluster>/` (its kustomization.yaml) from the GitRepository. */
export function fluxKustomization(cluster: string, source: ResolvedGitOpsSource, options: FluxOptions = {}): object {
  return fluxObject('kustomize.toolkit.fluxcd.io/v1', 'Kustomization', options, {
    sourceRef: { kind: 'GitRepository', name: GITOPS_NAME },
    path: `./${source.distPath}/${cluster}`,
    // A pool removed from its cluster file is removed from the cluster (Karpenter drains its nodes).
    prune: true,
  });
}

/**
 * Installs the chart `<distPath>/helm/<chart>/` from the GitRepository with the chart's
 * values.yaml and the cluster's values file (Flux uses only the files listed, so both are).
 */
export function fluxHelmRelease(cluster: string, source: ResolvedGitOpsSource, chartName: string, options: FluxOptions = {}): object {
  const chartPath = `./${source.distPath}/helm/${chartName}`;
  return fluxObject('helm.toolkit.fluxcd.io/v2', 'HelmRelease', options, {
    releaseName: GITOPS_NAME,
    chart: {
      spec: {
        chart: chartPath,
        // A new commit is a new chart build, even when Chart.yaml's version did not change.
        reconcileStrategy: 'Revision',
        sourceRef: { kind: 'GitRepository', name: GITOPS_NAME },
        valuesFiles: [`${chartPath}/values.yaml`, `./${source.distPath}/helm/values/${cluster}.yaml`],
      },
    },
  });
}

/** A Flux object named {@link GITOPS_NAME} in the Flux namespace, reconciled every `interval`. */
function fluxObject(apiVersion: string, kind: string, options: FluxOptions, spec: object): object {
  return {
    apiVersion,
    kind,
    metadata: { name: GITOPS_NAME, namespace: options.namespace ?? 'flux-system' },
    spec: { interval: options.interval ?? '10m', ...spec },
  };
}
