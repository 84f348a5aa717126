import { NodePoolSpecTemplateSpecRequirements, NodePoolSpecTemplateSpecRequirementsOperator } from '../../imports/karpenter.sh';
import { NodeConfigSpec, NodeConfigSpecInstanceLocalStorageDisabledMounts } from '../../imports/node.eks.aws';
import { ConfigError } from '../errors';
import { UserDataPart } from '../userdata/user-data-part';
import { bottlerocketSociSettings } from './bottlerocket-settings';
import { ContainerdConfigVersion, renderContainerdSociConfig } from './containerd-config';
import {
  checkInsecureMirrorPins, DownloadOptions, PinnedSha256, resolveDownloadPolicy, resolvePinnedSha256, resolveReleaseBaseUrl, resolveSociRoot, resolveSociVersion,
} from './manual-install-options';
import { AmiAliasFamily, INodeBootstrap } from './node-bootstrap';
import { hasTuning, ParallelPullTuning, validateTuning } from './parallel-pull-tuning';
import { RenderedBootstrap } from './rendered-bootstrap';
import { renderManualInstallScript } from './scripts/manual-install-script';
import { renderNativeTuningScript } from './scripts/native-tuning-script';
import { renderManualSociConfig, renderNativeSociConfig } from './soci-config';
import { BOTTLEROCKET_MIN_VERSION, NATIVE_MIN_AL2023_AMI, NATIVE_MIN_MEMORY_MIB, NATIVE_MIN_VCPU, SOCI_IMAGE_SERVICE_ENDPOINT } from './soci-facts';

/** Props of {@link SociBootstrap.native}. */
export interface NativeSociProps {
  /**
   * SOCI tuning written over nodeadm's config.toml by a shell part. Unset
   * options keep nodeadm's values: 20 downloads and 12 unpacks per image,
   * unbounded totals, 16 MiB chunks, discard on, unpigz for gzip.
   * @default - nodeadm's config.toml as it is (no shell part)
   */
  readonly tuning?: ParallelPullTuning;
  /**
   * Keep SOCI's data directory on the root EBS volume when the node uses
   * instance-store RAID0 (NodeConfig `localStorage.disabledMounts: [SOCI]`,
   * EKS AL2023 AMI v20260120 or later). Only matters with `instanceStorePolicy: RAID0`.
   * @default false - with RAID0, nodeadm binds SOCI's directory onto the instance-store array
   */
  readonly keepSociDataOnEbs?: boolean;
}

/** Props of {@link SociBootstrap.manualInstall}. */
export interface ManualSociInstallProps {
  /**
   * SOCI release to install (`0.15.0`; a leading `v` is accepted). 0.11.0 or later.
   * @default DEFAULT_SOCI_VERSION ("0.15.0")
   */
  readonly sociVersion?: string;
  /**
   * Base URL that replaces SOCI's GitHub release URL. Archives are fetched from
   * `<base>/v<ver>/soci-snapshotter-<ver>-linux-<arch>.tar.gz` with `.sha256sum` beside them.
   * No credentials (`user:password@`): user data is readable through IMDS.
   * @default SOCI_RELEASE_BASE_URL (GitHub releases)
   */
  readonly mirrorBaseUrl?: string;
  /**
   * Allow an `http://` mirror (and http redirects). Needs `sha256` pinned for
   * both amd64 and arm64: over plain http the published `.sha256sum` proves nothing.
   * @default false
   */
  readonly allowInsecureMirror?: boolean;
  /**
   * sha256 digests the downloaded archives must match, on top of the published `.sha256sum`.
   * @default - only the published `.sha256sum` is checked
   */
  readonly sha256?: PinnedSha256;
  /**
   * SOCI tuning. Unset options keep SOCI's defaults: 3 downloads and 1 unpack
   * per image, unbounded totals, whole-layer downloads, discard off,
   * containerd's built-in decompressors.
   * @default - SOCI's defaults
   */
  readonly tuning?: ParallelPullTuning;
  /**
   * Schema of the containerd config fragment: V2 for containerd 1.7, V3 for containerd 2.x.
   * @default ContainerdConfigVersion.V2
   */
  readonly containerdConfigVersion?: ContainerdConfigVersion;
  /**
   * The daemon's `--root`, repeated as containerd's `proxy_plugins.soci.exports.root`:
   * a directory of SOCI's own below `/var/lib`, `/mnt`, `/opt` or `/srv`, outside
   * other services' state (below `/var/lib/containerd` only the default).
   * @default DEFAULT_MANUAL_SOCI_ROOT ("/var/lib/containerd/io.containerd.snapshotter.v1.soci")
   */
  readonly sociRoot?: string;
  /**
   * Download retries and timeouts.
   * @default - 5 retries 5 s apart, 10 s connect timeout, 300 s per attempt
   */
  readonly download?: DownloadOptions;
}

/** Props of {@link SociBootstrap.bottlerocket}. */
export interface BottlerocketSociProps {
  /**
   * SOCI tuning as Bottlerocket settings (`decompressStreams` is not available).
   * Unset options keep Bottlerocket's defaults: 3 downloads and 1 unpack per
   * image, unbounded totals, whole-layer downloads, discard off.
   * @default - Bottlerocket's defaults (no parallel-pull-unpack table)
   */
  readonly tuning?: ParallelPullTuning;
}

/**
 * User data that makes nodes pull images through the SOCI snapshotter in
 * parallel pull/unpack mode. Pick the factory for the node's AMI.
 */
export class SociBootstrap {
  /**
   * EKS AL2023 AMI v20250821 or later: turns on nodeadm's `FastImagePull`
   * feature gate. nodeadm ignores the gate below 4 vCPU or 7 GiB, so the
   * bootstrap carries NodePool requirements that keep such instances out.
   */
  public static native(props: NativeSociProps = {}): INodeBootstrap {
    const where = 'SociBootstrap.native';
    checkKnownProps(where, props, ['tuning', 'keepSociDataOnEbs']);
    const tuning = validateTuning(where, props.tuning);
    if (props.keepSociDataOnEbs !== undefined && typeof props.keepSociDataOnEbs !== 'boolean') {
      throw new ConfigError(where, 'keepSociDataOnEbs', props.keepSociDataOnEbs, 'true or false');
    }
    const spec: NodeConfigSpec = {
      featureGates: { FastImagePull: true },
      ...(props.keepSociDataOnEbs ? { instance: { localStorage: { disabledMounts: [NodeConfigSpecInstanceLocalStorageDisabledMounts.SOCI] } } } : {}),
    };
    const parts = [UserDataPart.nodeConfig(spec)];
    if (hasTuning(tuning)) {
      const config = renderNativeSociConfig(where, tuning);
      parts.push(UserDataPart.shellScript(renderNativeTuningScript({ configToml: config.toml, discardUnpackedLayers: config.discardUnpackedLayers })));
    }
    return new RenderedBootstrap(where, [AmiAliasFamily.AL2023], NATIVE_REQUIREMENTS, { kind: 'al2023', parts }, NATIVE_MIN_AL2023_AMI);
  }

  /**
   * Any AL2023 AMI with nodeadm (custom, or older than v20250821): downloads a
   * checksum-verified SOCI release at boot, installs its systemd units and
   * points containerd and kubelet at it. Needs egress to GitHub or the mirror.
   * When the install fails, the node joins on containerd's default snapshotter.
   */
  public static manualInstall(props: ManualSociInstallProps = {}): INodeBootstrap {
    const where = 'SociBootstrap.manualInstall';
    checkKnownProps(where, props, ['sociVersion', 'mirrorBaseUrl', 'allowInsecureMirror', 'sha256', 'tuning', 'containerdConfigVersion', 'sociRoot', 'download']);
    const allowInsecureMirror = props.allowInsecureMirror ?? false;
    if (typeof allowInsecureMirror !== 'boolean') {
      throw new ConfigError(where, 'allowInsecureMirror', allowInsecureMirror, 'true or false');
    }
    const containerdVersion = props.containerdConfigVersion ?? ContainerdConfigVersion.V2;
    if (!Object.values(ContainerdConfigVersion).includes(containerdVersion)) {
      throw new ConfigError(where, 'containerdConfigVersion', containerdVersion, 'ContainerdConfigVersion.V2 (containerd 1.7) or ContainerdConfigVersion.V3 (containerd 2.x)');
    }
    const sociRoot = resolveSociRoot(where, props.sociRoot);
    const config = renderManualSociConfig(where, validateTuning(where, props.tuning));
    const releaseBaseUrl = resolveReleaseBaseUrl(where, props.mirrorBaseUrl, allowInsecureMirror);
    const pinnedSha256 = resolvePinnedSha256(where, props.sha256);
    checkInsecureMirrorPins(where, allowInsecureMirror, pinnedSha256);
    const script = renderManualInstallScript({
      sociVersion: resolveSociVersion(where, props.sociVersion),
      releaseBaseUrl,
      pinnedSha256,
      sociRoot,
      configToml: config.toml,
      download: resolveDownloadPolicy(where, props.download),
      allowInsecureMirror,
    });
    const nodeConfig = UserDataPart.nodeConfig({
      kubelet: { config: { imageServiceEndpoint: SOCI_IMAGE_SERVICE_ENDPOINT } },
      containerd: { config: renderContainerdSociConfig({ version: containerdVersion, sociRoot, discardUnpackedLayers: config.discardUnpackedLayers }) },
    });
    return new RenderedBootstrap(where, [AmiAliasFamily.AL2023], [], { kind: 'al2023', parts: [nodeConfig, UserDataPart.shellScript(script)] });
  }

  /** Bottlerocket 1.44.0 or later: SOCI through Bottlerocket's own settings. */
  public static bottlerocket(props: BottlerocketSociProps = {}): INodeBootstrap {
    const where = 'SociBootstrap.bottlerocket';
    checkKnownProps(where, props, ['tuning']);
    const settings = bottlerocketSociSettings(where, validateTuning(where, props.tuning));
    return new RenderedBootstrap(where, [AmiAliasFamily.BOTTLEROCKET], [], { kind: 'bottlerocket', settings }, `v${BOTTLEROCKET_MIN_VERSION}`);
  }

  /**
   * Nodes whose AMI already pulls through SOCI (EKS Auto Mode, or an AMI baked
   * with it): renders nothing of its own, only the user's parts or settings.
   */
  public static amiDefault(): INodeBootstrap {
    return new RenderedBootstrap('SociBootstrap.amiDefault', [], [], { kind: 'none' });
  }

  private constructor() {}
}

/**
 * `Gt`, not `Gte`: Gte/Lte arrived in recent Karpenter CRDs, and `Gt n - 1`
 * means the same for whole numbers on every version.
 */
const NATIVE_REQUIREMENTS: readonly NodePoolSpecTemplateSpecRequirements[] = Object.freeze([
  { key: 'karpenter.k8s.aws/instance-cpu', operator: NodePoolSpecTemplateSpecRequirementsOperator.GT, values: [String(NATIVE_MIN_VCPU - 1)] },
  { key: 'karpenter.k8s.aws/instance-memory', operator: NodePoolSpecTemplateSpecRequirementsOperator.GT, values: [String(NATIVE_MIN_MEMORY_MIB - 1)] },
]);

/** Misspelt props would otherwise be ignored silently (JavaScript callers, object spreads). */
function checkKnownProps(where: string, props: object, known: readonly string[]): void {
  if (typeof props !== 'object' || props === null) throw new ConfigError(where, 'props', props, 'an object');
  for (const [key, value] of Object.entries(props)) {
    if (!known.includes(key)) throw new ConfigError(where, key, value, `not a prop of ${where}; use one of ${known.join(', ')}`);
  }
}
