import { renderToml, TomlTable } from '../userdata/toml';
import { SOCI_SOCKET } from './soci-facts';

/**
 * The containerd config schema the NodeConfig `containerd.config` fragment is
 * written for. nodeadm picks its template from the installed containerd, so
 * choose the version of the containerd on the AMI; the two are never mixed.
 */
export enum ContainerdConfigVersion {
  /** containerd 1.7 (`[plugins."io.containerd.grpc.v1.cri".containerd]`). On containerd 2.x nodeadm migrates it. */
  V2 = 2,
  /** containerd 2.x (`[plugins.'io.containerd.cri.v1.images']`). nodeadm fails on containerd 1.x with it. */
  V3 = 3,
}

/** The CRI plugin table holding the image snapshotter options, per schema. */
export const CRI_IMAGES_TABLE: Record<ContainerdConfigVersion, readonly string[]> = {
  [ContainerdConfigVersion.V2]: ['io.containerd.grpc.v1.cri', 'containerd'],
  [ContainerdConfigVersion.V3]: ['io.containerd.cri.v1.images'],
};

/** What the containerd fragment needs to agree with the SOCI daemon. */
export interface ContainerdSociConfigInput {
  readonly version: ContainerdConfigVersion;
  /** The daemon's `--root`; kubelet and cadvisor account disk usage through `exports.root`. */
  readonly sociRoot: string;
  /** Must equal SOCI's `discard_unpacked_layers`. */
  readonly discardUnpackedLayers: boolean;
}

/**
 * The `containerd.config` TOML that makes containerd use SOCI: the `soci`
 * proxy snapshotter on SOCI's socket, and the CRI images options. No
 * `version` key: nodeadm chooses the template from the containerd it finds
 * and deep-merges this fragment into it.
 */
export function renderContainerdSociConfig(input: ContainerdSociConfigInput): string {
  const [plugin, subTable] = CRI_IMAGES_TABLE[input.version];
  const images: TomlTable = {
    snapshotter: 'soci',
    // containerd passes image and layer labels to the snapshotter only when this is false.
    disable_snapshot_annotations: false,
    discard_unpacked_layers: input.discardUnpackedLayers,
  };
  const document: TomlTable = {
    plugins: { [plugin]: subTable ? { [subTable]: images } : images },
    proxy_plugins: {
      soci: { type: 'snapshot', address: SOCI_SOCKET, exports: { root: input.sociRoot } },
    },
  };
  return renderToml(document);
}
