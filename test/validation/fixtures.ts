/**
 * Hand-built manifests that pass every check: an AL2023 EC2NodeClass whose
 * MIME user data turns on FastImagePull and tunes SOCI, and a NodePool that
 * only allows instances big enough for the gate. Each call returns a fresh copy.
 */
export type Json = Record<string, any>;

export interface MimePart {
  readonly contentType: string;
  readonly body: string;
}

/** Builds a MIME multipart document the way the bootstrap renderer does. */
export function mime(parts: readonly MimePart[], boundary = '//'): string {
  const body = parts.map((p) => `--${boundary}\nContent-Type: ${p.contentType}\n\n${p.body.endsWith('\n') ? p.body : `${p.body}\n`}`).join('');
  return `MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="${boundary}"\n\n${body}--${boundary}--\n`;
}

export const NODE_CONFIG_TYPE = 'application/node.eks.aws';
export const SHELL_TYPE = 'text/x-shellscript; charset="us-ascii"';

export const FAST_IMAGE_PULL_NODE_CONFIG = `apiVersion: node.eks.aws/v1alpha1
kind: NodeConfig
spec:
  featureGates:
    FastImagePull: true
  kubelet:
    config:
      imageServiceEndpoint: unix:///run/soci-snapshotter-grpc/soci-snapshotter-grpc.sock
      registryPullQPS: 10
`;

export const SOCI_CONFIG_TOML = `[content_store]
type = "containerd"

[pull_modes.parallel_pull_unpack]
enable = true
max_concurrent_downloads = -1
max_concurrent_downloads_per_image = 10
concurrent_download_chunk_size = "16mb"
max_concurrent_unpacks = -1
max_concurrent_unpacks_per_image = 10
discard_unpacked_layers = true
`;

export function tuningScript(config = SOCI_CONFIG_TOML): string {
  return `#!/bin/bash\nset -euo pipefail\ncat > /etc/soci-snapshotter-grpc/config.toml <<'SOCI_CONFIG_TOML'\n${config}SOCI_CONFIG_TOML\n`;
}

export function nativeUserData(nodeConfig = FAST_IMAGE_PULL_NODE_CONFIG, script = tuningScript()): string {
  return mime([
    { contentType: NODE_CONFIG_TYPE, body: nodeConfig },
    { contentType: SHELL_TYPE, body: script },
  ]);
}

export function validNodeClass(name = 'soci'): Json {
  return {
    apiVersion: 'karpenter.k8s.aws/v1',
    kind: 'EC2NodeClass',
    metadata: { name },
    spec: {
      amiSelectorTerms: [{ alias: 'al2023@v20260724' }],
      role: 'KarpenterNodeRole-my-cluster',
      subnetSelectorTerms: [{ tags: { 'karpenter.sh/discovery': 'my-cluster' } }],
      securityGroupSelectorTerms: [{ tags: { 'karpenter.sh/discovery': 'my-cluster' } }],
      blockDeviceMappings: [
        {
          deviceName: '/dev/xvda',
          rootVolume: true,
          ebs: { volumeSize: '100Gi', volumeType: 'gp3', iops: 3000, throughput: 600, encrypted: true, deleteOnTermination: true },
        },
      ],
      metadataOptions: { httpEndpoint: 'enabled', httpProtocolIPv6: 'disabled', httpPutResponseHopLimit: 1, httpTokens: 'required' },
      tags: { team: 'platform' },
      kubelet: { maxPods: 110, imageGCHighThresholdPercent: 85, imageGCLowThresholdPercent: 80 },
      userData: nativeUserData(),
    },
  };
}

export function validNodePool(name = 'soci', nodeClassName = 'soci'): Json {
  return {
    apiVersion: 'karpenter.sh/v1',
    kind: 'NodePool',
    metadata: { name },
    spec: {
      weight: 10,
      limits: { cpu: '1000', memory: '1000Gi' },
      disruption: {
        consolidationPolicy: 'WhenEmptyOrUnderutilized',
        consolidateAfter: '1m',
        budgets: [{ nodes: '10%' }, { nodes: '0', schedule: '0 9 * * 1-5', duration: '8h', reasons: ['Drifted'] }],
      },
      template: {
        metadata: { labels: { team: 'platform' } },
        spec: {
          nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: nodeClassName },
          expireAfter: '720h',
          taints: [{ key: 'soci', value: 'true', effect: 'NoSchedule' }],
          requirements: [
            { key: 'kubernetes.io/arch', operator: 'In', values: ['amd64', 'arm64'] },
            { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['on-demand'] },
            { key: 'karpenter.k8s.aws/instance-cpu', operator: 'Gte', values: ['4'] },
            { key: 'karpenter.k8s.aws/instance-memory', operator: 'Gte', values: ['7168'] },
          ],
        },
      },
    },
  };
}

/** Sets (or, with `undefined`, removes) the value at a JSON pointer, creating objects on the way. */
export function setAt(root: Json, pointer: string, value: unknown): Json {
  const keys = pointer.slice(1).split('/').map((k) => k.replace(/~1/g, '/').replace(/~0/g, '~'));
  let node: any = root;
  for (const key of keys.slice(0, -1)) {
    if (node[key] === undefined) node[key] = {};
    node = node[key];
  }
  const last = keys[keys.length - 1];
  if (value === undefined) {
    if (Array.isArray(node)) node.splice(Number(last), 1);
    else delete node[last];
  } else {
    node[last] = value;
  }
  return root;
}
