/**
 * The user-data scenarios that have golden files, shared by the golden test
 * and the CLI test (the CLI must render the same bytes as the library).
 */
import { ChunkSize, ContainerdConfigVersion, SociBootstrap, UNBOUNDED } from '../../lib/bootstrap';
import { UserDataPart } from '../../lib/userdata';

export const SHA_AMD64 = '6f1e0c3a9b2d4e5f60718293a4b5c6d7e8f90123456789abcdef0123456789ab';
export const SHA_ARM64 = '0a1b2c3d4e5f60718293a4b5c6d7e8f9fedcba9876543210fedcba9876543210';
export const MIRROR = 'https://artifacts.example.com/soci-snapshotter/';

export const CLUSTER = {
  name: 'ml-platform',
  apiServerEndpoint: 'https://0123456789ABCDEF0123456789ABCDEF.gr7.us-west-2.eks.amazonaws.com',
  certificateAuthority: 'LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUMvakNDQWVhZ0F3SUJBZ0lCQURBTkJna3Foa2lHOXcwQkFRc0ZBREFWTVJNd0VRWURWUVFERXdwcmRXSmwKLS0tLS1FTkQgQ0VSVElGSUNBVEUtLS0tLQo=',
  cidr: '10.100.0.0/16',
};

/**
 * A Bottlerocket settings document a user might already have. The image-GC
 * threshold is a string: Karpenter v1.14.1 decodes it into a Go *string and
 * rejects the whole user data for the integer 85.
 */
export const USER_BOTTLEROCKET_SETTINGS = `[settings.kubernetes]
max-pods = 110
image-gc-high-threshold-percent = "85"

[settings.host-containers.admin]
enabled = false
`;

export interface Scenario {
  /** Golden file name under test/golden/userdata/. */
  readonly golden: string;
  readonly format: 'mime' | 'bottlerocket';
  readonly render: () => string | undefined;
}

export const SCENARIOS: readonly Scenario[] = [
  { golden: 'native.mime', format: 'mime', render: () => SociBootstrap.native().renderUserData() },
  {
    golden: 'native-tuned.mime',
    format: 'mime',
    render: () => SociBootstrap.native({
      keepSociDataOnEbs: true,
      tuning: {
        maxConcurrentDownloads: UNBOUNDED,
        maxConcurrentDownloadsPerImage: 10,
        concurrentDownloadChunkSize: ChunkSize.mebibytes(8),
        maxConcurrentUnpacks: 32,
        maxConcurrentUnpacksPerImage: 10,
        discardUnpackedLayers: false,
        decompressStreams: { zstd: { path: '/usr/bin/zstd', args: ['-d', '-c'] } },
      },
    }).renderUserData(),
  },
  { golden: 'manual-amd64-pinned.mime', format: 'mime', render: () => SociBootstrap.manualInstall({ sha256: { amd64: SHA_AMD64 } }).renderUserData() },
  { golden: 'manual-arm64-pinned.mime', format: 'mime', render: () => SociBootstrap.manualInstall({ sha256: { arm64: SHA_ARM64 } }).renderUserData() },
  {
    golden: 'manual-containerd-v3.mime',
    format: 'mime',
    render: () => SociBootstrap.manualInstall({
      containerdConfigVersion: ContainerdConfigVersion.V3,
      tuning: { maxConcurrentDownloadsPerImage: 10, concurrentDownloadChunkSize: ChunkSize.of('16mb'), maxConcurrentUnpacksPerImage: 10, discardUnpackedLayers: true },
    }).renderUserData(),
  },
  {
    golden: 'manual-mirror-pinned.mime',
    format: 'mime',
    render: () => SociBootstrap.manualInstall({
      sociVersion: 'v0.14.1',
      mirrorBaseUrl: MIRROR,
      sha256: { amd64: SHA_AMD64, arm64: SHA_ARM64 },
      sociRoot: '/var/lib/soci-snapshotter-grpc',
      download: { retries: 2, retryDelaySeconds: 3, connectTimeoutSeconds: 5, maxTimeSeconds: 120 },
    }).renderUserData(),
  },
  {
    golden: 'native-with-user-parts.mime',
    format: 'mime',
    render: () => SociBootstrap.native().renderUserData({
      partsBefore: [UserDataPart.shellScript('#!/bin/bash\nset -euo pipefail\necho "before SOCI" >/var/log/before-soci.log\n')],
      partsAfter: [
        UserDataPart.nodeConfig({ kubelet: { config: { registryPullQPS: 20, serializeImagePulls: false } } }),
        UserDataPart.raw('text/cloud-config', '#cloud-config\npackages:\n  - htop\n'),
      ],
    }),
  },
  { golden: 'launch-template-cluster.mime', format: 'mime', render: () => SociBootstrap.native().renderUserData({ cluster: CLUSTER }) },
  {
    golden: 'bottlerocket.toml',
    format: 'bottlerocket',
    render: () => SociBootstrap.bottlerocket({
      tuning: {
        maxConcurrentDownloads: 40,
        maxConcurrentDownloadsPerImage: 10,
        concurrentDownloadChunkSize: ChunkSize.mebibytes(16),
        maxConcurrentUnpacks: UNBOUNDED,
        maxConcurrentUnpacksPerImage: 10,
        discardUnpackedLayers: false,
      },
    }).renderUserData(),
  },
  {
    golden: 'bottlerocket-user-settings.toml',
    format: 'bottlerocket',
    render: () => SociBootstrap.bottlerocket().renderUserData({ bottlerocketSettings: USER_BOTTLEROCKET_SETTINGS }),
  },
];

/** The scenario with the given golden name. */
export function scenario(golden: string): Scenario {
  const found = SCENARIOS.find((s) => s.golden === golden);
  if (!found) throw new Error(`no scenario ${golden}`);
  return found;
}
