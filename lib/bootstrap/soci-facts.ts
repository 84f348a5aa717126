/**
 * Facts about SOCI, nodeadm and Karpenter that both the bootstrap builder
 * (which refuses bad input) and the manifest validator (which inspects what
 * was rendered) rely on. One place, so the two can never disagree.
 */

/** Parallel pull/unpack mode first shipped in SOCI v0.11.0. */
export const MIN_SOCI_VERSION = '0.11.0';
/** The release the manual install pins by default. */
export const DEFAULT_SOCI_VERSION = '0.15.0';
/** Where SOCI publishes release archives; a mirror base URL replaces exactly this prefix. */
export const SOCI_RELEASE_BASE_URL = 'https://github.com/awslabs/soci-snapshotter/releases/download';

/** Daemon socket (SOCI default); the kubelet image service and containerd's proxy plugin point at it. */
export const SOCI_SOCKET = '/run/soci-snapshotter-grpc/soci-snapshotter-grpc.sock';
/** SOCI's config file (SOCI default path; nodeadm writes it on AL2023). */
export const SOCI_CONFIG_PATH = '/etc/soci-snapshotter-grpc/config.toml';
/** The manual install's default `--root`, equal to containerd's `proxy_plugins.soci.exports.root`. */
export const DEFAULT_MANUAL_SOCI_ROOT = '/var/lib/containerd/io.containerd.snapshotter.v1.soci';
/** `apiVersion` of the NodeConfig documents nodeadm decodes from user data. */
export const NODE_CONFIG_API_VERSION = 'node.eks.aws/v1alpha1';
/** Kubelet `imageServiceEndpoint` for SOCI's CRI image-service proxy. */
export const SOCI_IMAGE_SERVICE_ENDPOINT = `unix://${SOCI_SOCKET}`;

/** nodeadm ignores `FastImagePull` below this many vCPUs (4000 millicores, nodeadm v20260724). */
export const NATIVE_MIN_VCPU = 4;
/** nodeadm ignores `FastImagePull` below this much memory (7 GiB), in MiB as Karpenter's `instance-memory` label counts it. */
export const NATIVE_MIN_MEMORY_MIB = 7 * 1024;
/** The first EKS AL2023 AMI release whose nodeadm has the `FastImagePull` gate. */
export const NATIVE_MIN_AL2023_AMI = 'v20250821';
/** The first Bottlerocket release with SOCI settings. */
export const BOTTLEROCKET_MIN_VERSION = '1.44.0';
/** gp3 throughput below which SOCI's docs warn of slower pulls. */
export const RECOMMENDED_EBS_THROUGHPUT_MIBPS = 600;

/** EC2's user-data limit, in raw bytes. */
export const USER_DATA_MAX_BYTES = 16_384;
/** Karpenter v1.14.1 logs that user data approaches the limit above this size. */
export const USER_DATA_WARN_BYTES = Math.floor((USER_DATA_MAX_BYTES * 9) / 10);
/** Room kept for the NodeConfig part Karpenter appends (cluster CA, labels, taints, kubelet settings). */
export const KARPENTER_USER_DATA_RESERVE_BYTES = 3 * 1024;

/** A value for SOCI's concurrency settings that means "no limit". */
export const UNBOUNDED = -1;

/** SOCI's own chunk-size grammar (config/parallel.go, v0.15.0): binary units, case-insensitive. */
const SOCI_SIZE = /^\s*(\d+(\.\d+)?)(\s*(gb|mb|kb|b)?)?\s*$/i;
const SOCI_UNIT_BYTES: Record<string, number> = { '': 1, 'b': 1, 'kb': 1024, 'mb': 1024 ** 2, 'gb': 1024 ** 3 };

/**
 * Parses a SOCI `concurrent_download_chunk_size` into bytes, or undefined when
 * SOCI would refuse to start with it ("invalid size format"). `0` and `""`
 * mean the whole layer in one request.
 */
export function parseSociChunkSize(value: string): number | undefined {
  if (value === '') return 0;
  const match = SOCI_SIZE.exec(value);
  if (!match) return undefined;
  const unit = (match[4] ?? '').toLowerCase();
  return Math.floor(Number(match[1]) * SOCI_UNIT_BYTES[unit]);
}

/** SOCI concurrency limits are a positive count, or {@link UNBOUNDED}. */
export function isValidConcurrency(value: number): boolean {
  return Number.isSafeInteger(value) && (value >= 1 || value === UNBOUNDED);
}

/** A sha256 digest as published in `.sha256sum` files: 64 lower- or upper-case hex digits. */
export const SHA256_PATTERN = /^[0-9a-fA-F]{64}$/;

/** Compares dotted numeric versions (`0.9.0` < `0.11.0`); a leading `v` is ignored. */
export function compareVersions(a: string, b: string): number {
  const parts = (v: string) => v.replace(/^v/, '').split('.').map((n) => Number(n));
  const [pa, pb] = [parts(a), parts(b)];
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const diff = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (diff !== 0) return Math.sign(diff);
  }
  return 0;
}

/** An EKS AL2023 AMI release on which a feature breaks nodes. */
export interface BrokenAmiRelease {
  /** The release, as an alias version (`v20260505`). */
  readonly version: string;
  /** The first release with the fix. */
  readonly fixedIn: string;
  /** What happens on the node, with the upstream issue. */
  readonly why: string;
}

/** The EKS AL2023 AMI releases a feature SOCI user data turns on works with. */
export interface Al2023AmiRequirement {
  /** The feature, as the builder prop and the NodeConfig field that turn it on. */
  readonly feature: string;
  /** The first release that has it. */
  readonly minimum: string;
  /** What older releases do with it. */
  readonly belowMinimum: string;
  readonly broken: readonly BrokenAmiRelease[];
}

/** `SociBootstrap.native()`: nodeadm's FastImagePull gate (amazon-eks-ami CHANGELOG). */
export const FAST_IMAGE_PULL_AMI: Al2023AmiRequirement = {
  feature: 'SociBootstrap.native() (NodeConfig featureGates.FastImagePull)',
  minimum: NATIVE_MIN_AL2023_AMI,
  belowMinimum: 'nodeadm does not know the gate',
  broken: [{
    version: 'v20260505',
    fixedIn: 'v20260512',
    why: 'its containerd 2.2.3 unpacks the pause image through SOCI before registry credentials exist, so nodes stay NotReady (amazon-eks-ami#2710)',
  }],
};

/** `keepSociDataOnEbs`: NodeConfig `localStorage.disabledMounts: [SOCI]` (amazon-eks-ami#2588). */
export const SOCI_DISABLED_MOUNT_AMI: Al2023AmiRequirement = {
  feature: 'keepSociDataOnEbs (NodeConfig instance.localStorage.disabledMounts: [SOCI])',
  minimum: 'v20260120',
  belowMinimum: 'nodeadm silently ignores it and RAID0 still binds SOCI\'s directory onto the instance-store array',
  broken: [],
};

/**
 * Why a pinned AL2023 alias version cannot carry the feature, with the
 * versions that can; undefined when it can (`latest` always can).
 */
export function al2023AmiProblem(requirement: Al2023AmiRequirement, version: string): string | undefined {
  if (version === 'latest') return undefined;
  const allowed = `al2023@latest or a pinned al2023@${requirement.minimum} or later`;
  const broken = requirement.broken.find((b) => b.version === version);
  if (broken) {
    const others = requirement.broken.map((b) => b.version).join(', ');
    return `${requirement.feature} breaks nodes on ${version}: ${broken.why}. Use al2023@${broken.fixedIn} or later (allowed: ${allowed}, except ${others})`;
  }
  if (compareVersions(version, requirement.minimum) < 0) {
    return `${requirement.feature} needs al2023@${requirement.minimum} or later; on ${version} ${requirement.belowMinimum} (allowed: ${allowed})`;
  }
  return undefined;
}
