import { ConfigError } from '../errors';
import { renderToml, TomlTable } from '../userdata/toml';
import { checkConcurrencyOrder, DecompressStream, EffectiveConcurrency, ParallelPullTuning, tuningEntries } from './parallel-pull-tuning';

/** containerd's socket: where SOCI's CRI keychain forwards image calls and where its content store lives. */
export const CONTAINERD_SOCKET = '/run/containerd/containerd.sock';

/**
 * The config.toml nodeadm writes verbatim when `FastImagePull` takes effect
 * (amazon-eks-ami v20260724, `nodeadm/internal/containerd/snapshotter/soci-snapshotter.config.toml`),
 * in nodeadm's key order. Tuning on the native path starts from exactly this.
 */
export const NODEADM_SOCI_CONFIG: TomlTable = deepFreeze({
  debug: false,
  content_store: { type: 'containerd' },
  cri_keychain: { enable_keychain: true, image_service_path: CONTAINERD_SOCKET },
  pull_modes: {
    parallel_pull_unpack: {
      enable: true,
      concurrent_download_chunk_size: '16mb',
      discard_unpacked_layers: true,
      max_concurrent_downloads: -1,
      max_concurrent_downloads_per_image: 20,
      max_concurrent_unpacks: -1,
      max_concurrent_unpacks_per_image: 12,
      decompress_streams: { gzip: { path: '/usr/bin/unpigz', args: ['-d', '-c'] } },
    },
  },
});

/** SOCI v0.15.0's own parallel-mode defaults (config/parallel.go), which apply to keys a config leaves out. */
export const SOCI_PARALLEL_DEFAULTS: EffectiveConcurrency = {
  maxConcurrentDownloads: -1,
  maxConcurrentDownloadsPerImage: 3,
  maxConcurrentUnpacks: -1,
  maxConcurrentUnpacksPerImage: 1,
};

const NODEADM_PARALLEL_DEFAULTS: EffectiveConcurrency = {
  maxConcurrentDownloads: -1,
  maxConcurrentDownloadsPerImage: 20,
  maxConcurrentUnpacks: -1,
  maxConcurrentUnpacksPerImage: 12,
};

/** A rendered SOCI config.toml, with the one value containerd must agree with. */
export interface RenderedSociConfig {
  /** The full `/etc/soci-snapshotter-grpc/config.toml`. */
  readonly toml: string;
  /** `discard_unpacked_layers`, which containerd's CRI option of the same name must match. */
  readonly discardUnpackedLayers: boolean;
}

/**
 * nodeadm's config.toml with the tuning applied over it, for the native path's
 * rewrite script. Keys keep nodeadm's order; options nodeadm does not set are appended.
 */
export function renderNativeSociConfig(where: string, tuning: ParallelPullTuning): RenderedSociConfig {
  checkConcurrencyOrder(where, tuning, effectiveConcurrency(tuning, NODEADM_PARALLEL_DEFAULTS), 'nodeadm');
  const config = structuredClone(NODEADM_SOCI_CONFIG) as TomlTable;
  applyTuning(parallelTable(config), tuning);
  return finish(where, config);
}

/**
 * The config.toml for a manually installed daemon: parallel mode on,
 * containerd's content store, the CRI keychain (ECR credentials reach SOCI
 * through kubelet's image service calls), and the tuning. Unset tuning keeps
 * SOCI's defaults, except `discard_unpacked_layers`, which is always written
 * because containerd's CRI option must be set to the same value.
 */
export function renderManualSociConfig(where: string, tuning: ParallelPullTuning): RenderedSociConfig {
  checkConcurrencyOrder(where, tuning, effectiveConcurrency(tuning, SOCI_PARALLEL_DEFAULTS), 'SOCI');
  const config: TomlTable = {
    content_store: { type: 'containerd', containerd_address: CONTAINERD_SOCKET },
    cri_keychain: { enable_keychain: true, image_service_path: CONTAINERD_SOCKET },
    pull_modes: { parallel_pull_unpack: { enable: true, discard_unpacked_layers: false } },
  };
  applyTuning(parallelTable(config), tuning);
  return finish(where, config);
}

function effectiveConcurrency(tuning: ParallelPullTuning, defaults: EffectiveConcurrency): EffectiveConcurrency {
  return {
    maxConcurrentDownloads: tuning.maxConcurrentDownloads ?? defaults.maxConcurrentDownloads,
    maxConcurrentDownloadsPerImage: tuning.maxConcurrentDownloadsPerImage ?? defaults.maxConcurrentDownloadsPerImage,
    maxConcurrentUnpacks: tuning.maxConcurrentUnpacks ?? defaults.maxConcurrentUnpacks,
    maxConcurrentUnpacksPerImage: tuning.maxConcurrentUnpacksPerImage ?? defaults.maxConcurrentUnpacksPerImage,
  };
}

function parallelTable(config: TomlTable): TomlTable {
  return (config.pull_modes as TomlTable).parallel_pull_unpack as TomlTable;
}

/** Writes each set option under its SOCI key, replacing in place so the key order stays stable. */
function applyTuning(table: TomlTable, tuning: ParallelPullTuning): void {
  for (const [key, value] of tuningEntries(tuning, (chunk) => chunk.toSociString())) table[key] = value;
  const streams = tuning.decompressStreams;
  if (streams?.gzip || streams?.zstd) {
    // decompress_streams goes last: TOML needs the plain keys of a table before its sub-tables.
    const existing = (table.decompress_streams as TomlTable | undefined) ?? {};
    delete table.decompress_streams;
    table.decompress_streams = {
      ...existing,
      ...(streams.gzip ? { gzip: streamTable(streams.gzip) } : {}),
      ...(streams.zstd ? { zstd: streamTable(streams.zstd) } : {}),
    };
  }
}

function streamTable(stream: DecompressStream): TomlTable {
  return { path: stream.path, args: [...(stream.args ?? [])] };
}

function finish(where: string, config: TomlTable): RenderedSociConfig {
  assertParallelPullCanStart(where, config);
  const discardUnpackedLayers = parallelTable(config).discard_unpacked_layers === true;
  return { toml: renderToml(config), discardUnpackedLayers };
}

/**
 * SOCI refuses to start in parallel mode unless layers go to containerd's
 * content store or are discarded after unpacking (fs/fs.go). Every config this
 * project renders satisfies that; the check keeps it so.
 */
export function assertParallelPullCanStart(where: string, config: TomlTable): void {
  const contentStore = (config.content_store as TomlTable | undefined)?.type ?? 'soci';
  const discard = parallelTable(config).discard_unpacked_layers === true;
  if (contentStore !== 'containerd' && !discard) {
    throw new ConfigError(where, 'content_store.type', contentStore, 'parallel pull needs content_store type "containerd" or discard_unpacked_layers = true');
  }
}

function deepFreeze<T extends object>(value: T): T {
  for (const child of Object.values(value)) {
    if (typeof child === 'object' && child !== null) deepFreeze(child);
  }
  return Object.freeze(value);
}
