// Public API of the bootstrap builder; the renderers behind it stay internal.
export * from './node-bootstrap';
export * from './soci-facts';
export { SociBootstrap } from './soci-bootstrap';
export type { NativeSociProps, ManualSociInstallProps, BottlerocketSociProps } from './soci-bootstrap';
export { ChunkSize } from './chunk-size';
export type { ParallelPullTuning, DecompressStream, DecompressStreams } from './parallel-pull-tuning';
export { ContainerdConfigVersion } from './containerd-config';
export type { DownloadOptions, PinnedSha256 } from './manual-install-options';
