/**
 * The cluster file format (`clusters/<name>.yaml`): its TypeScript types and its
 * JSON Schema, defined once here. The loader validates with this schema and
 * `clusters/cluster.schema.json` (for editors) is written from it, so the two
 * cannot disagree. Karpenter's own structures (requirements, taints, selector
 * terms, kubelet...) are embedded from the pinned CRD schemas in imports/.
 */
import { ec2NodeClassCrdSchema, karpenterAjvSchema, nodePoolCrdSchema, SchemaNode } from '../validation/schemas';
import { SociGuard } from '../validation/acknowledgements';
import { DEFAULT_MANUAL_SOCI_ROOT, DEFAULT_SOCI_VERSION, MIN_SOCI_VERSION } from '../bootstrap/soci-facts';
import { precomputed } from '../precomputed';

/** One cluster: the node classes and the pools that use them. Written to `dist/<name>/`. */
export interface ClusterFile {
  /** Cluster name; the file must be `<name>.yaml`. */
  readonly name: string;
  readonly nodeClasses: readonly NodeClassSpec[];
  readonly nodePools: readonly NodePoolSpec[];
  /** Jobs that measure image pulls on the SOCI pools against a baseline (see `ImagePullBenchmark`). */
  readonly imagePullBenchmark?: ImagePullBenchmarkSpec;
}

/** The `imagePullBenchmark` of a cluster (see `ImagePullBenchmarkProps` for each field's meaning). */
export interface ImagePullBenchmarkSpec {
  readonly image: string;
  readonly command?: readonly string[];
  /** Names of pools in this file. Default: every pool whose node class has a SOCI bootstrap. */
  readonly sociPools?: readonly string[];
  /** Add a baseline node class and pool mirroring the first SOCI pool, without SOCI. Default: true. */
  readonly baseline?: boolean;
  readonly runs?: number;
  /** Default: `pull-benchmark`. */
  readonly namespace?: string;
}

/** The benchmark's namespace when the cluster file names none. */
export const DEFAULT_BENCHMARK_NAMESPACE = 'pull-benchmark';

/** A cluster file as loaded: its content and where it came from. */
export interface ClusterSpec extends ClusterFile {
  /** The file it was read from (for messages). */
  readonly file: string;
}

/** The SOCI bootstrap strategies, named like the `SociBootstrap` factories. */
export type BootstrapStrategy = 'native' | 'manualInstall' | 'bottlerocket' | 'amiDefault';

/** SOCI parallel pull/unpack tuning, as `ParallelPullTuning` with the chunk size in SOCI's grammar. */
export interface TuningSpec {
  readonly maxConcurrentDownloads?: number;
  readonly maxConcurrentDownloadsPerImage?: number;
  /** SOCI's size grammar (`16mb` = 16 MiB); `""` or `"0"` for whole layers. */
  readonly concurrentDownloadChunkSize?: string;
  readonly maxConcurrentUnpacks?: number;
  readonly maxConcurrentUnpacksPerImage?: number;
  readonly discardUnpackedLayers?: boolean;
  readonly decompressStreams?: { readonly gzip?: DecompressStreamSpec; readonly zstd?: DecompressStreamSpec };
}

export interface DecompressStreamSpec {
  readonly path: string;
  readonly args?: readonly string[];
}

/** The `bootstrap` of a node class: a strategy and that strategy's options. */
export interface BootstrapSpec {
  readonly strategy: BootstrapStrategy;
  readonly tuning?: TuningSpec;
  /** native only. */
  readonly keepSociDataOnEbs?: boolean;
  /** manualInstall only, from here on. */
  readonly sociVersion?: string;
  readonly mirrorBaseUrl?: string;
  readonly allowInsecureMirror?: boolean;
  readonly sha256?: { readonly amd64?: string; readonly arm64?: string };
  readonly containerdConfigVersion?: 2 | 3;
  readonly sociRoot?: string;
  readonly download?: {
    readonly retries?: number;
    readonly retryDelaySeconds?: number;
    readonly connectTimeoutSeconds?: number;
    readonly maxTimeSeconds?: number;
  };
}

/** An AL2023 user-data part of the user's own. */
export type UserDataPartSpec = { readonly shellScript: string } | { readonly nodeConfig: Record<string, unknown> };

/** An EC2NodeClass (see `Ec2NodeClassProps` for each field's meaning). */
export interface NodeClassSpec {
  readonly name: string;
  /** Default: `KarpenterNodeRole-<cluster>` when `instanceProfile` is not set either. */
  readonly role?: string;
  readonly instanceProfile?: string;
  /** Default: the cluster name, for whichever selector terms are not given. */
  readonly discoveryTag?: string;
  readonly subnetSelectorTerms?: readonly Record<string, unknown>[];
  readonly securityGroupSelectorTerms?: readonly Record<string, unknown>[];
  /** Shorthand for `amiSelectorTerms: [{ alias }]`. Default: `al2023@latest`. */
  readonly amiAlias?: string;
  readonly amiSelectorTerms?: readonly Record<string, unknown>[];
  readonly amiFamily?: string;
  /** Default: no bootstrap (user data holds only your own parts or settings). */
  readonly bootstrap?: BootstrapSpec;
  readonly userDataBefore?: readonly UserDataPartSpec[];
  readonly userDataAfter?: readonly UserDataPartSpec[];
  readonly bottlerocketSettings?: string;
  readonly instanceStorePolicy?: 'RAID0';
  readonly dataVolume?: { readonly sizeGiB?: number; readonly iops?: number; readonly throughputMiBps?: number; readonly kmsKeyId?: string };
  readonly metadataOptions?: Record<string, unknown>;
  readonly tags?: Readonly<Record<string, string>>;
  readonly kubelet?: Record<string, unknown>;
  readonly acknowledge?: readonly string[];
}

/** A NodePool (see `NodePoolProps` for each field's meaning). */
export interface NodePoolSpec {
  readonly name: string;
  /** The `name` of a node class in the same file. */
  readonly nodeClass: string;
  readonly requirements?: readonly Record<string, unknown>[];
  readonly labels?: Readonly<Record<string, string>>;
  readonly nodeAnnotations?: Readonly<Record<string, string>>;
  readonly taints?: readonly Record<string, unknown>[];
  readonly startupTaints?: readonly Record<string, unknown>[];
  readonly limits?: Readonly<Record<string, number | string>>;
  readonly weight?: number;
  readonly expireAfter?: string;
  readonly terminationGracePeriod?: string;
  readonly disruption?: {
    readonly consolidationPolicy?: 'WhenEmpty' | 'WhenEmptyOrUnderutilized' | 'Balanced';
    readonly consolidateAfter?: string;
    readonly budgets?: readonly Record<string, unknown>[];
  };
  readonly acknowledge?: readonly string[];
}

/** Default `role` when a node class sets neither role nor instance profile (Karpenter's getting-started name). */
export function defaultRole(cluster: string): string {
  return `KarpenterNodeRole-${cluster}`;
}

/** Default `discoveryTag`: Karpenter's getting-started guide tags subnets and security groups with the cluster name. */
export function defaultDiscoveryTag(cluster: string): string {
  return cluster;
}

/** The keyword the error formatter uses instead of ajv's own wording: what the field accepts, as a sentence fragment. */
export const ALLOWED_KEYWORD = 'x-allowed';

const DNS_LABEL = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';
const DURATION = '^([0-9]+(s|m|h))+$';
const QUANTITY = '^[0-9]+(\\.[0-9]+)?(m|k|Ki|M|Mi|G|Gi|T|Ti|P|Pi|E|Ei)?$';
const AMI_ALIAS = '^(al2|al2023|bottlerocket|windows2019|windows2022|windows2025)@(latest|v[0-9][0-9a-z.-]*)$';
const CHUNK_SIZE = '^([0-9]+(\\.[0-9]+)?\\s*(b|kb|mb|gb)?)?$';
const EXECUTABLE = '^/[A-Za-z0-9._+/-]+$';
const RELEASE = '^v?[0-9]+\\.[0-9]+\\.[0-9]+$';
const MIRROR_URL = '^https?://[A-Za-z0-9._~:@%+,;=/-]+$';
const SOCI_ROOT = '^/[A-Za-z0-9._/-]*[A-Za-z0-9._-]$';
const SHA256 = '^[0-9a-fA-F]{64}$';

function dnsLabel(description: string): SchemaNode {
  return {
    type: 'string', maxLength: 63, pattern: DNS_LABEL, description,
    [ALLOWED_KEYWORD]: 'a DNS-1123 label: at most 63 lower-case letters, digits or "-", starting and ending with a letter or digit',
  };
}

function nonEmptyString(description: string): SchemaNode {
  return { type: 'string', minLength: 1, description };
}

function integer(minimum: number, maximum: number, description: string): SchemaNode {
  return { type: 'integer', minimum, maximum, description, [ALLOWED_KEYWORD]: `a whole number from ${minimum} to ${maximum}` };
}

function stringMap(description: string): SchemaNode {
  return { type: 'object', additionalProperties: { type: 'string' }, description };
}

function duration(description: string, allowNever: boolean): SchemaNode {
  return {
    type: 'string', pattern: allowNever ? `(^Never$)|(${DURATION})` : DURATION, description,
    [ALLOWED_KEYWORD]: `a duration of whole hours, minutes and seconds such as "720h", "1h30m" or "30s"${allowNever ? ', or "Never"' : ''}`,
  };
}

function object(description: string, properties: Record<string, SchemaNode>, extra: SchemaNode = {}): SchemaNode {
  return { type: 'object', description, properties, additionalProperties: false, ...extra };
}

/** A property of a Karpenter CRD's spec, closed against unknown fields as the validator closes it. */
function crdProperty(crd: SchemaNode, ...path: string[]): SchemaNode {
  let node = karpenterAjvSchema(crd);
  for (const key of ['spec', ...path]) {
    const child = (node.properties as Record<string, SchemaNode> | undefined)?.[key];
    if (!child) throw new Error(`CRD schema has no spec.${path.join('.')}`);
    node = child;
  }
  return withoutKubernetesExtensions(node);
}

/** JSON Schema tools do not know `x-kubernetes-*`; the CEL rules stay with the manifest validator. */
function withoutKubernetesExtensions(node: SchemaNode): SchemaNode {
  if (Array.isArray(node)) return node.map((item) => withoutKubernetesExtensions(item)) as unknown as SchemaNode;
  if (typeof node !== 'object' || node === null) return node;
  return Object.fromEntries(Object.entries(node)
    .filter(([key]) => !key.startsWith('x-kubernetes-'))
    .map(([key, value]) => [key, typeof value === 'object' && value !== null ? withoutKubernetesExtensions(value as SchemaNode) : value]));
}

const CONCURRENCY_ALLOWED = 'a positive whole number, or -1 for no limit';

function concurrency(description: string): SchemaNode {
  return { type: 'integer', anyOf: [{ const: -1 }, { minimum: 1 }], description, [ALLOWED_KEYWORD]: CONCURRENCY_ALLOWED };
}

function decompressStream(algorithm: string): SchemaNode {
  return object(`External decompressor for ${algorithm} layers, run by SOCI without a shell.`, {
    path: { type: 'string', pattern: EXECUTABLE, description: 'Absolute path of the executable.', [ALLOWED_KEYWORD]: 'an absolute path to an executable, such as "/usr/bin/unpigz"' },
    args: { type: 'array', items: { type: 'string', pattern: '^[^\\n\\r\\u0000]*$' }, description: 'Arguments; the stream arrives on stdin.' },
  }, { required: ['path'] });
}

/** The four SOCI concurrency counts, by option name. */
export const TUNING_COUNTS = ['maxConcurrentDownloads', 'maxConcurrentDownloadsPerImage', 'maxConcurrentUnpacks', 'maxConcurrentUnpacksPerImage'] as const;

const TUNING_SCHEMA = object('SOCI parallel pull/unpack tuning; unset options keep the strategy\'s defaults.', {
  maxConcurrentDownloads: concurrency('Layer downloads in flight across all images (-1: unbounded).'),
  maxConcurrentDownloadsPerImage: concurrency('Ranged downloads in flight per image.'),
  concurrentDownloadChunkSize: {
    type: 'string', pattern: CHUNK_SIZE, description: 'Size of each ranged GET in SOCI\'s grammar, read as binary ("16mb" = 16 MiB); "" or "0" for whole layers.',
    [ALLOWED_KEYWORD]: 'a size in SOCI\'s grammar: a number with an optional unit b, kb, mb or gb ("16mb"), or "" for whole layers',
  },
  maxConcurrentUnpacks: concurrency('Layer unpacks in flight across all images (-1: unbounded).'),
  maxConcurrentUnpacksPerImage: concurrency('Layer unpacks in flight per image.'),
  discardUnpackedLayers: { type: 'boolean', description: 'Drop compressed layers once unpacked.' },
  decompressStreams: object('External decompressors (not on Bottlerocket).', { gzip: decompressStream('gzip'), zstd: decompressStream('zstd') }),
});

/** Options each strategy takes besides `strategy`; any other key is refused. */
export const STRATEGY_OPTIONS: Record<BootstrapStrategy, readonly string[]> = {
  native: ['tuning', 'keepSociDataOnEbs'],
  manualInstall: ['tuning', 'sociVersion', 'mirrorBaseUrl', 'allowInsecureMirror', 'sha256', 'containerdConfigVersion', 'sociRoot', 'download'],
  bottlerocket: ['tuning'],
  amiDefault: [],
};

const BOOTSTRAP_OPTIONS: Record<string, SchemaNode> = {
  tuning: TUNING_SCHEMA,
  keepSociDataOnEbs: { type: 'boolean', description: 'native: keep SOCI data on the root EBS volume under instanceStorePolicy RAID0 (AMI v20260120 or later).' },
  sociVersion: { type: 'string', pattern: RELEASE, description: `manualInstall: SOCI release (default ${DEFAULT_SOCI_VERSION}, at least ${MIN_SOCI_VERSION}).`, [ALLOWED_KEYWORD]: `a release such as "${DEFAULT_SOCI_VERSION}"` },
  mirrorBaseUrl: { type: 'string', pattern: MIRROR_URL, description: 'manualInstall: base URL replacing SOCI\'s GitHub release URL.', [ALLOWED_KEYWORD]: 'an https:// URL without query, fragment, whitespace or quotes' },
  allowInsecureMirror: { type: 'boolean', description: 'manualInstall: allow an http:// mirror.' },
  sha256: object('manualInstall: digests the release archives must match.', {
    amd64: { type: 'string', pattern: SHA256, description: 'sha256 of the amd64 archive.', [ALLOWED_KEYWORD]: 'a sha256 digest: 64 hex digits' },
    arm64: { type: 'string', pattern: SHA256, description: 'sha256 of the arm64 archive.', [ALLOWED_KEYWORD]: 'a sha256 digest: 64 hex digits' },
  }),
  containerdConfigVersion: { enum: [2, 3], description: 'manualInstall: containerd config schema, 2 (containerd 1.7, default) or 3 (containerd 2.x).' },
  sociRoot: { type: 'string', pattern: SOCI_ROOT, description: `manualInstall: the daemon's --root (default ${DEFAULT_MANUAL_SOCI_ROOT}).`, [ALLOWED_KEYWORD]: 'an absolute directory path without a trailing "/"' },
  download: object('manualInstall: download retries and timeouts.', {
    retries: integer(0, 10, 'Extra attempts after a failed download (default 5).'),
    retryDelaySeconds: integer(0, 60, 'Seconds between attempts (default 5).'),
    connectTimeoutSeconds: integer(1, 60, 'curl connect timeout per attempt (default 10).'),
    maxTimeSeconds: integer(10, 900, 'Time limit per attempt (default 300).'),
  }),
};

const BOOTSTRAP_SCHEMA: SchemaNode = {
  type: 'object',
  description: 'What turns SOCI on at boot: a SociBootstrap strategy and its options.',
  required: ['strategy'],
  properties: {
    strategy: { enum: Object.keys(STRATEGY_OPTIONS), description: 'native (AL2023 v20250821+), manualInstall (any AL2023 with nodeadm), bottlerocket (1.44.0+) or amiDefault (the AMI already uses SOCI).' },
    ...BOOTSTRAP_OPTIONS,
  },
  // Each strategy takes only its own options: a stray key would otherwise be ignored silently.
  allOf: (Object.entries(STRATEGY_OPTIONS) as [BootstrapStrategy, readonly string[]][]).map(([strategy, options]) => ({
    if: { properties: { strategy: { const: strategy } }, required: ['strategy'] },
    then: { properties: Object.fromEntries(['strategy', ...options].map((key) => [key, true])), additionalProperties: false },
  })),
};

const USER_DATA_PARTS: SchemaNode = {
  type: 'array',
  description: 'Your own AL2023 user-data parts: { shellScript: "#!/bin/bash ..." } or { nodeConfig: <NodeConfig spec> }.',
  items: {
    type: 'object',
    minProperties: 1,
    maxProperties: 1,
    properties: {
      shellScript: { type: 'string', pattern: '^#!', description: 'A shell script; must start with "#!".', [ALLOWED_KEYWORD]: 'a shell script starting with "#!"' },
      nodeConfig: { type: 'object', description: 'A nodeadm NodeConfig spec (node.eks.aws/v1alpha1).' },
    },
    additionalProperties: false,
    [ALLOWED_KEYWORD]: 'exactly one of shellScript or nodeConfig',
  },
};

const ACKNOWLEDGE: SchemaNode = {
  type: 'array', items: { enum: Object.values(SociGuard) }, uniqueItems: true,
  description: 'SOCI guards accepted on purpose (recorded as an annotation; still printed as warnings).',
};

function nodeClassSchema(): SchemaNode {
  const crd = ec2NodeClassCrdSchema();
  return object('An EC2NodeClass whose nodes pull through SOCI.', {
    name: dnsLabel('metadata.name of the EC2NodeClass.'),
    role: nonEmptyString('IAM role of the nodes (Karpenter manages the instance profile). Default: KarpenterNodeRole-<cluster> unless instanceProfile is set.'),
    instanceProfile: nonEmptyString('An existing instance profile, instead of role.'),
    discoveryTag: nonEmptyString('Value of the karpenter.sh/discovery tag on subnets and security groups. Default: the cluster name.'),
    subnetSelectorTerms: crdProperty(crd, 'subnetSelectorTerms'),
    securityGroupSelectorTerms: crdProperty(crd, 'securityGroupSelectorTerms'),
    amiAlias: {
      type: 'string', pattern: AMI_ALIAS, description: 'AMI alias family@version, e.g. al2023@v20260724 or bottlerocket@v1.50.0. Default: al2023@latest.',
      [ALLOWED_KEYWORD]: 'family@version with family al2, al2023, bottlerocket, windows2019, windows2022 or windows2025 and version "latest" or pinned ("al2023@v20260724")',
    },
    amiSelectorTerms: crdProperty(crd, 'amiSelectorTerms'),
    amiFamily: crdProperty(crd, 'amiFamily'),
    bootstrap: BOOTSTRAP_SCHEMA,
    userDataBefore: USER_DATA_PARTS,
    userDataAfter: USER_DATA_PARTS,
    bottlerocketSettings: { type: 'string', description: 'Extra Bottlerocket settings TOML, merged with the bootstrap\'s.' },
    instanceStorePolicy: crdProperty(crd, 'instanceStorePolicy'),
    dataVolume: object('The volume that holds containerd and SOCI data (encrypted gp3).', {
      sizeGiB: integer(1, 65536, 'Size in GiB (default 100).'),
      iops: integer(3000, 80000, 'gp3 IOPS (default 3000).'),
      throughputMiBps: integer(125, 2000, 'gp3 throughput in MiB/s (default 600).'),
      kmsKeyId: nonEmptyString('KMS key for EBS encryption (default: the account\'s EBS key).'),
    }),
    metadataOptions: crdProperty(crd, 'metadataOptions'),
    tags: stringMap('Tags for the instances, volumes and launch templates Karpenter creates.'),
    kubelet: crdProperty(crd, 'kubelet'),
    acknowledge: ACKNOWLEDGE,
  }, {
    required: ['name'],
    allOf: [
      { not: { required: ['role', 'instanceProfile'] }, [ALLOWED_KEYWORD]: 'set at most one of role and instanceProfile' },
      { not: { required: ['amiAlias', 'amiSelectorTerms'] }, [ALLOWED_KEYWORD]: 'set at most one of amiAlias and amiSelectorTerms' },
    ],
  });
}

function nodePoolSchema(): SchemaNode {
  const crd = nodePoolCrdSchema();
  const template = (...path: string[]) => crdProperty(crd, 'template', 'spec', ...path);
  return object('A NodePool that launches nodes of one node class.', {
    name: dnsLabel('metadata.name of the NodePool.'),
    nodeClass: { type: 'string', description: 'The name of a node class in this file.' },
    requirements: template('requirements'),
    labels: stringMap('Labels put on every node.'),
    nodeAnnotations: stringMap('Annotations put on every node.'),
    taints: template('taints'),
    startupTaints: template('startupTaints'),
    limits: {
      type: 'object',
      description: 'Caps on the pool\'s total resources, e.g. { cpu: 1000, memory: 1000Gi }.',
      additionalProperties: {
        anyOf: [{ type: 'number', minimum: 0 }, { type: 'string', pattern: QUANTITY }],
        [ALLOWED_KEYWORD]: 'a non-negative number or a Kubernetes quantity such as "1000", "500m" or "1000Gi"',
      },
    },
    weight: integer(1, 100, 'Priority among NodePools that fit a pod (higher first).'),
    expireAfter: duration('Node lifetime before replacement (default 720h), or Never.', true),
    terminationGracePeriod: duration('How long a draining node may wait for its pods.', false),
    disruption: object('Consolidation settings.', {
      consolidationPolicy: crdProperty(crd, 'disruption', 'consolidationPolicy'),
      consolidateAfter: duration('How long a node must be consolidatable first (default 0s), or Never.', true),
      budgets: crdProperty(crd, 'disruption', 'budgets'),
    }),
    acknowledge: ACKNOWLEDGE,
  }, { required: ['name', 'nodeClass'] });
}

function imagePullBenchmarkSchema(): SchemaNode {
  return object('Jobs that pull one image on the SOCI pools and on a baseline pool, read by `npm run pull-report`.', {
    image: {
      type: 'string', minLength: 1, maxLength: 512, description: 'The image to pull; pin it by digest so every run pulls the same bytes.',
      [ALLOWED_KEYWORD]: 'an image reference such as "public.ecr.aws/docker/library/python:3.13" or "repo/name@sha256:<64 hex>"',
    },
    command: { type: 'array', items: { type: 'string' }, description: 'Command run once the image is pulled (e.g. ["true"]). Default: the image\'s entrypoint.' },
    sociPools: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string' }, description: 'Pools of this file to measure. Default: every pool whose node class has a SOCI bootstrap.' },
    baseline: { type: 'boolean', description: 'Add a baseline node class and pool (the first SOCI pool\'s, without SOCI). Default: true.' },
    runs: integer(1, 50, 'Jobs per pool, each on a node of its own (default 3).'),
    namespace: dnsLabel(`Namespace of the Jobs, created with them (default ${DEFAULT_BENCHMARK_NAMESPACE}).`),
  }, { required: ['image'] });
}

let cached: SchemaNode | undefined;

/** The JSON Schema of a cluster file (draft-07), built once. */
export function clusterFileSchema(): SchemaNode {
  cached ??= {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'cdk8s-karpenter-soci cluster',
    description: 'One cluster: EC2NodeClasses whose nodes pull images through SOCI, and the NodePools that use them. Generated; do not edit.',
    type: 'object',
    properties: {
      name: dnsLabel('Cluster name; the file must be named <name>.yaml, and its manifests go to dist/<name>/.'),
      nodeClasses: { type: 'array', minItems: 1, items: nodeClassSchema(), description: 'The EC2NodeClasses.' },
      nodePools: { type: 'array', minItems: 1, items: nodePoolSchema(), description: 'The NodePools.' },
      imagePullBenchmark: imagePullBenchmarkSchema(),
    },
    required: ['name', 'nodeClasses', 'nodePools'],
    additionalProperties: false,
  };
  return cached;
}

/** The text of `clusters/cluster.schema.json` (embedded in the app bundle, which compares it with the file on every synth). */
export function renderClusterFileSchema(): string {
  return precomputed('clusterFileSchema', () => `${JSON.stringify(clusterFileSchema(), null, 2)}\n`);
}
