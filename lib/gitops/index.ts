// GitOps delivery of the synthesized clusters: Argo CD ApplicationSets and Flux objects.
export { argoFoldersApplicationSet, argoHelmApplicationSet, GITOPS_NAME } from './argo-cd';
export type { ArgoCdOptions } from './argo-cd';
export { fluxGitRepository, fluxHelmRelease, fluxKustomization } from './flux';
export type { FluxOptions } from './flux';
export { resolveGitOpsSource } from './gitops-source';
export type { GitOpsSource, ResolvedGitOpsSource } from './gitops-source';
export { chartClusters, renderGitOpsFiles, synthGitOps } from './gitops-files';
export type { GitOpsOptions } from './gitops-files';
