/**
 * Argo CD ApplicationSets (argoproj.io/v1alpha1) that deliver every cluster's output:
 * a list generator with one element per cluster, and one Application per element.
 * The Application for a cluster is sent to the Argo CD cluster registered under the
 * same name (`argocd cluster add <context> --name <cluster>`).
 */
import { ResolvedGitOpsSource } from './gitops-source';

/** What both ApplicationSets share. */
export interface ArgoCdOptions {
  /**
   * Namespace Argo CD runs in.
   * @default 'argocd'
   */
  readonly namespace?: string;
  /**
   * Argo CD project of the Applications.
   * @default 'default'
   */
  readonly project?: string;
}

/** ApplicationSet and Application name: one Application per cluster, `karpenter-soci-<cluster>`. */
export const GITOPS_NAME = 'karpenter-soci';

// Go templates with missingkey=error: a misspelt parameter fails the generation instead of
// rendering an empty path.
const CLUSTER = '{{.cluster}}';

/** The ApplicationSet that syncs the plain folders `<distPath>/<cluster>/` (kustomize). */
export function argoFoldersApplicationSet(clusters: readonly string[], source: ResolvedGitOpsSource, options: ArgoCdOptions = {}): object {
  return applicationSet(clusters, options, {
    repoURL: source.repoURL,
    targetRevision: source.branch,
    path: `${source.distPath}/${CLUSTER}`,
  });
}

/**
 * The ApplicationSet that installs the Helm chart `<distPath>/helm/<chart>/` with the
 * cluster's values file `<distPath>/helm/values/<cluster>.yaml` over the chart's defaults.
 */
export function argoHelmApplicationSet(clusters: readonly string[], source: ResolvedGitOpsSource, chartName: string, options: ArgoCdOptions = {}): object {
  return applicationSet(clusters, options, {
    repoURL: source.repoURL,
    targetRevision: source.branch,
    path: `${source.distPath}/helm/${chartName}`,
    helm: {
      releaseName: GITOPS_NAME,
      // Relative to the chart folder; Argo CD refuses paths that leave the repository.
      valueFiles: [`../values/${CLUSTER}.yaml`],
    },
  });
}

function applicationSet(clusters: readonly string[], options: ArgoCdOptions, appSource: object): object {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'ApplicationSet',
    metadata: { name: GITOPS_NAME, namespace: options.namespace ?? 'argocd' },
    spec: {
      goTemplate: true,
      goTemplateOptions: ['missingkey=error'],
      generators: [{ list: { elements: [...clusters].sort().map((cluster) => ({ cluster })) } }],
      template: {
        metadata: { name: `${GITOPS_NAME}-${CLUSTER}` },
        spec: {
          project: options.project ?? 'default',
          source: appSource,
          // NodePools and EC2NodeClasses are cluster-scoped: no destination namespace.
          destination: { name: CLUSTER },
          syncPolicy: {
            // A pool removed from its cluster file is removed from the cluster (Karpenter drains its nodes).
            automated: { prune: true, selfHeal: true },
          },
        },
      },
    },
  };
}
