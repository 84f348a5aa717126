/**
 * containerd and kubelet config files in the shape nodeadm v20260724's config
 * phase writes them when a NodeConfig carries the manual install's SOCI
 * settings (containerd `snapshotter = "soci"` and `proxy_plugins.soci`,
 * kubelet `imageServiceEndpoint`), before cloud-final runs the install script.
 *
 * Shapes (awslabs/amazon-eks-ami @ v20260724):
 * - nodeadm deep-merges `containerd.config` into its template and writes the
 *   map with go-toml v2 (nodeadm/internal/containerd/config.go): keys sorted,
 *   single-quoted strings, no indentation, a bare header for each parent table
 *   (see nodeadm/test/e2e/cases/containerd-config/expected-containerd-config.toml);
 * - on containerd 2.x with a schema-2 fragment it then runs
 *   `containerd config migrate`, whose output is indented and lists defaults
 *   (nodeadm/test/e2e/cases/containerdv2-config/expected-containerd-configv2.toml;
 *   abridged here to the tables around SOCI's);
 * - kubelet settings go to config.json.d/40-nodeadm.conf (kubelet 1.29+),
 *   written with json.MarshalIndent and 4 spaces (nodeadm/internal/kubelet/config.go).
 */
import { DEFAULT_MANUAL_SOCI_ROOT, SOCI_IMAGE_SERVICE_ENDPOINT, SOCI_SOCKET } from '../../lib/bootstrap/soci-facts';

/** containerd 1.7: schema-2 template with the schema-2 fragment merged (discard off). */
export const NODEADM_CONTAINERD_V2 = `root = '/var/lib/containerd'
state = '/run/containerd'
version = 2

[grpc]
address = '/run/containerd/containerd.sock'

[plugins]
[plugins.'io.containerd.grpc.v1.cri']
enable_cdi = true
sandbox_image = 'localhost/kubernetes/pause'

[plugins.'io.containerd.grpc.v1.cri'.cni]
bin_dir = '/opt/cni/bin'
conf_dir = '/etc/cni/net.d'

[plugins.'io.containerd.grpc.v1.cri'.containerd]
default_runtime_name = 'runc'
disable_snapshot_annotations = false
discard_unpacked_layers = false
snapshotter = 'soci'

[plugins.'io.containerd.grpc.v1.cri'.containerd.runtimes]
[plugins.'io.containerd.grpc.v1.cri'.containerd.runtimes.runc]
base_runtime_spec = '/etc/containerd/base-runtime-spec.json'
runtime_type = 'io.containerd.runc.v2'

[plugins.'io.containerd.grpc.v1.cri'.containerd.runtimes.runc.options]
BinaryName = '/usr/sbin/runc'
SystemdCgroup = true

[plugins.'io.containerd.grpc.v1.cri'.registry]
config_path = '/etc/containerd/certs.d:/etc/docker/certs.d'

[proxy_plugins]
[proxy_plugins.soci]
address = '${SOCI_SOCKET}'
type = 'snapshot'

[proxy_plugins.soci.exports]
root = '${DEFAULT_MANUAL_SOCI_ROOT}'
`;

/** containerd 2.x: schema-3 template with the schema-3 fragment merged (discard off). */
export const NODEADM_CONTAINERD_V3 = `root = '/var/lib/containerd'
state = '/run/containerd'
version = 3

[grpc]
address = '/run/containerd/containerd.sock'

[plugins]
[plugins.'io.containerd.cri.v1.images']
disable_snapshot_annotations = false
discard_unpacked_layers = false
snapshotter = 'soci'

[plugins.'io.containerd.cri.v1.images'.pinned_images]
sandbox = 'localhost/kubernetes/pause'

[plugins.'io.containerd.cri.v1.images'.registry]
config_path = '/etc/containerd/certs.d:/etc/docker/certs.d'

[plugins.'io.containerd.cri.v1.runtime']
enable_cdi = true

[plugins.'io.containerd.cri.v1.runtime'.cni]
bin_dir = '/opt/cni/bin'
conf_dir = '/etc/cni/net.d'

[plugins.'io.containerd.cri.v1.runtime'.containerd]
default_runtime_name = 'runc'

[plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes]
[plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc]
base_runtime_spec = '/etc/containerd/base-runtime-spec.json'
runtime_type = 'io.containerd.runc.v2'

[plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options]
BinaryName = '/usr/sbin/runc'
SystemdCgroup = true

[proxy_plugins]
[proxy_plugins.soci]
address = '${SOCI_SOCKET}'
type = 'snapshot'

[proxy_plugins.soci.exports]
root = '${DEFAULT_MANUAL_SOCI_ROOT}'
`;

/** containerd 2.x with the schema-2 fragment: `containerd config migrate` output (abridged). */
export const NODEADM_CONTAINERD_MIGRATED = `version = 3
root = '/var/lib/containerd'
state = '/run/containerd'
temp = ''
plugin_dir = ''
disabled_plugins = []
required_plugins = []
oom_score = 0
imports = []

[grpc]
  address = '/run/containerd/containerd.sock'
  max_recv_message_size = 16777216
  max_send_message_size = 16777216

[plugins]
  [plugins.'io.containerd.cri.v1.images']
    snapshotter = 'soci'
    disable_snapshot_annotations = false
    discard_unpacked_layers = false
    max_concurrent_downloads = 3
    image_pull_progress_timeout = '5m0s'

    [plugins.'io.containerd.cri.v1.images'.pinned_images]
      sandbox = 'localhost/kubernetes/pause'

    [plugins.'io.containerd.cri.v1.images'.registry]
      config_path = '/etc/containerd/certs.d:/etc/docker/certs.d'

  [plugins.'io.containerd.cri.v1.runtime']
    enable_cdi = true

    [plugins.'io.containerd.cri.v1.runtime'.containerd]
      default_runtime_name = 'runc'

      [plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes]
        [plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc]
          runtime_type = 'io.containerd.runc.v2'
          base_runtime_spec = '/etc/containerd/base-runtime-spec.json'
          snapshotter = ''
          sandboxer = 'podsandbox'

          [plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options]
            BinaryName = '/usr/sbin/runc'
            SystemdCgroup = true

  [plugins.'io.containerd.transfer.v1.local']
    max_concurrent_downloads = 3
    config_path = ''

[cgroup]
  path = ''

[proxy_plugins]
  [proxy_plugins.soci]
    type = 'snapshot'
    address = '${SOCI_SOCKET}'
    platform = ''
    capabilities = []

    [proxy_plugins.soci.exports]
      root = '${DEFAULT_MANUAL_SOCI_ROOT}'

[stream_processors]
  [stream_processors.'io.containerd.ocicrypt.decoder.v1.tar']
    accepts = ['application/vnd.oci.image.layer.v1.tar+encrypted']
    returns = 'application/vnd.oci.image.layer.v1.tar'
    path = 'ctd-decoder'
`;

/** The kubelet drop-in: the NodeConfig documents' `kubelet.config`, ours and Karpenter's, merged. */
export const NODEADM_KUBELET_DROP_IN = `{
    "apiVersion": "kubelet.config.k8s.io/v1beta1",
    "clusterDNS": [
        "10.100.0.10"
    ],
    "imageServiceEndpoint": "${SOCI_IMAGE_SERVICE_ENDPOINT}",
    "kind": "KubeletConfiguration",
    "maxPods": 110,
    "registerWithTaints": [
        {
            "effect": "NoExecute",
            "key": "karpenter.sh/unregistered"
        }
    ]
}`;

/** nodeadm's own kubelet config.json (no user settings on 1.29+), abridged. */
export const NODEADM_KUBELET_CONFIG = `{
    "address": "0.0.0.0",
    "cgroupDriver": "systemd",
    "clusterDNS": [
        "10.100.0.10"
    ],
    "containerRuntimeEndpoint": "unix:///run/containerd/containerd.sock",
    "kind": "KubeletConfiguration",
    "apiVersion": "kubelet.config.k8s.io/v1beta1"
}`;

export const CONTAINERD_CONFIG_REL = 'containerd/config.toml';
export const KUBELET_DROP_IN_REL = 'kubernetes/kubelet/config.json.d/40-nodeadm.conf';
export const KUBELET_CONFIG_REL = 'kubernetes/kubelet/config.json';
