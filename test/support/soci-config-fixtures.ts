/**
 * config.toml texts for bootstrap-script tests: nodeadm's embedded default
 * (from the upstream fixture) and a tuned parallel-mode config of the size
 * the builder renders (~600 bytes).
 */
import { nodeadmSociSnapshotterConfig } from '../fixtures/upstream';

function tomlValue(value: unknown): string {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || Array.isArray(value)) {
    return JSON.stringify(value);
  }
  throw new Error(`unsupported TOML value ${JSON.stringify(value)}`);
}

/** nodeadm's soci-snapshotter.config.toml, rebuilt as TOML from the upstream fixture's `config`. */
export function nodeadmDefaultSociConfigToml(): string {
  const config = nodeadmSociSnapshotterConfig().config as Record<string, Record<string, unknown>>;
  const sections = Object.entries(config).map(([table, keys]) => {
    const body = Object.entries(keys).map(([k, v]) => `${k} = ${tomlValue(v)}\n`).join('');
    return table === '' ? body : `[${table}]\n${body}`;
  });
  return sections.join('\n');
}

/** A tuned parallel-mode config, about the size the builder renders. */
export const TUNED_SOCI_CONFIG_TOML = `# Rendered by cdk8s-karpenter-soci: SOCI parallel pull/unpack
debug = false

[content_store]
type = "containerd"

[cri_keychain]
enable_keychain = true
image_service_path = "/run/containerd/containerd.sock"

[pull_modes.parallel_pull_unpack]
enable = true
concurrent_download_chunk_size = "8mb"
discard_unpacked_layers = false
max_concurrent_downloads = -1
max_concurrent_downloads_per_image = 10
max_concurrent_unpacks = -1
max_concurrent_unpacks_per_image = 10

[pull_modes.parallel_pull_unpack.decompress_streams.gzip]
path = "/usr/bin/unpigz"
args = ["-d", "-c"]
`;

/** A containerd 2.x (config version 3) file as nodeadm writes it with FastImagePull. */
export const CONTAINERD_V3_CONFIG = `version = 3
root = "/var/lib/containerd"
state = "/run/containerd"

[grpc]
address = "/run/containerd/containerd.sock"

[plugins.'io.containerd.cri.v1.images']
  snapshotter = "soci"
  discard_unpacked_layers = true
  disable_snapshot_annotations = false

[plugins.'io.containerd.cri.v1.images'.pinned_images]
  sandbox = "localhost/kubernetes/pause"

[proxy_plugins.soci]
  type = "snapshot"
  address = "/run/soci-snapshotter-grpc/soci-snapshotter-grpc.sock"

[proxy_plugins.soci.exports]
  root = "/var/lib/soci-snapshotter-grpc"
`;

/** A containerd 1.7 (config version 2) file with the CRI key set, tab-indented. */
export const CONTAINERD_V2_CONFIG = `version = 2
root = "/var/lib/containerd"

[plugins."io.containerd.grpc.v1.cri".containerd]
\tsnapshotter = "soci"
\tdisable_snapshot_annotations = false
\tdiscard_unpacked_layers=true

[proxy_plugins.soci]
type = "snapshot"
address = "/run/soci-snapshotter-grpc/soci-snapshotter-grpc.sock"
`;
