/**
 * `npm run -s userdata -- ...`: renders the user data of a SOCI bootstrap for
 * launch templates and node groups that Karpenter does not manage. A pure
 * function from argv to output; the caller writes the file and exits.
 */
import { NodeConfigSpecCluster } from '../../imports/node.eks.aws';
import { ChunkSize } from '../bootstrap/chunk-size';
import { ContainerdConfigVersion } from '../bootstrap/containerd-config';
import { INodeBootstrap } from '../bootstrap/node-bootstrap';
import { DecompressStream, ParallelPullTuning } from '../bootstrap/parallel-pull-tuning';
import { SociBootstrap } from '../bootstrap/soci-bootstrap';
import { KARPENTER_USER_DATA_RESERVE_BYTES, UNBOUNDED } from '../bootstrap/soci-facts';
import { ConfigError, describeValue, Redacted } from '../errors';
import { UserDataReserve, userDataSizeVerdict } from '../validation/user-data-size';
import { FlagKind, FlagSpec, ParsedFlags, parseFlags, UsageError } from './argv';
import { certificateAuthorityProblem } from '../userdata/certificate-authority';
import { cidrProblem } from '../userdata/service-cidr';

/** What the command prints, and the file it asks to be written. */
export interface CliResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
  /** Set when `--out` was given: the caller writes `content` to `path`. */
  readonly file?: { readonly path: string; readonly content: string };
}

/** Exit code for a bad flag or value. */
export const EXIT_USAGE = 2;
/** Exit code when the bootstrap refuses the configuration. */
export const EXIT_CONFIG = 1;

const STRATEGIES = ['native', 'manual', 'bottlerocket', 'none'] as const;
type Strategy = (typeof STRATEGIES)[number];

const CLUSTER_FLAGS = ['cluster-name', 'api-server-endpoint', 'certificate-authority', 'service-cidr'] as const;

/** Tuning flags and the ParallelPullTuning option each sets. */
const TUNING_FLAGS: Record<string, keyof ParallelPullTuning> = {
  'max-concurrent-downloads': 'maxConcurrentDownloads',
  'max-concurrent-downloads-per-image': 'maxConcurrentDownloadsPerImage',
  'max-concurrent-unpacks': 'maxConcurrentUnpacks',
  'max-concurrent-unpacks-per-image': 'maxConcurrentUnpacksPerImage',
  'chunk-size': 'concurrentDownloadChunkSize',
  'discard-unpacked-layers': 'discardUnpackedLayers',
  'decompress-gzip': 'decompressStreams',
  'decompress-zstd': 'decompressStreams',
};

/** Flags that only one strategy takes. */
const STRATEGY_ONLY: Record<string, Strategy> = {
  'keep-soci-data-on-ebs': 'native',
  'soci-version': 'manual',
  'mirror': 'manual',
  'allow-insecure-mirror': 'manual',
  'sha256-amd64': 'manual',
  'sha256-arm64': 'manual',
  'containerd-config-version': 'manual',
  'soci-root': 'manual',
};

const FLAGS: readonly FlagSpec[] = [
  { name: 'strategy', kind: FlagKind.VALUE, help: 'native|manual|bottlerocket|none  how SOCI is turned on (required)' },
  { name: 'soci-version', kind: FlagKind.VALUE, help: 'V  SOCI release to install (manual; default 0.15.0)' },
  { name: 'mirror', kind: FlagKind.VALUE, help: 'URL  base URL replacing GitHub releases (manual)' },
  { name: 'allow-insecure-mirror', kind: FlagKind.SWITCH, help: '  allow an http:// mirror (manual)' },
  { name: 'sha256-amd64', kind: FlagKind.VALUE, help: 'HEX  pinned sha256 of the amd64 archive (manual)' },
  { name: 'sha256-arm64', kind: FlagKind.VALUE, help: 'HEX  pinned sha256 of the arm64 archive (manual)' },
  { name: 'containerd-config-version', kind: FlagKind.VALUE, help: '2|3  containerd config schema: 2 for containerd 1.7, 3 for 2.x (manual; default 2)' },
  { name: 'soci-root', kind: FlagKind.VALUE, help: 'PATH  SOCI --root and containerd exports.root (manual)' },
  { name: 'keep-soci-data-on-ebs', kind: FlagKind.SWITCH, help: '  keep SOCI data off the RAID0 instance-store array (native)' },
  { name: 'max-concurrent-downloads', kind: FlagKind.VALUE, help: 'N|unbounded  downloads across all images' },
  { name: 'max-concurrent-downloads-per-image', kind: FlagKind.VALUE, help: 'N|unbounded  downloads per image' },
  { name: 'max-concurrent-unpacks', kind: FlagKind.VALUE, help: 'N|unbounded  unpacks across all images' },
  { name: 'max-concurrent-unpacks-per-image', kind: FlagKind.VALUE, help: 'N|unbounded  unpacks per image' },
  { name: 'chunk-size', kind: FlagKind.VALUE, help: 'SIZE|whole-layer  ranged GET size in SOCI units (16mb = 16 MiB)' },
  { name: 'discard-unpacked-layers', kind: FlagKind.VALUE, help: 'true|false  drop layer blobs after unpacking' },
  { name: 'decompress-gzip', kind: FlagKind.VALUE, help: '"PATH [ARGS...]"  external gzip decompressor (AL2023)' },
  { name: 'decompress-zstd', kind: FlagKind.VALUE, help: '"PATH [ARGS...]"  external zstd decompressor (AL2023)' },
  { name: 'cluster-name', kind: FlagKind.VALUE, help: 'NAME  EKS cluster name (with the other three cluster flags)' },
  { name: 'api-server-endpoint', kind: FlagKind.VALUE, help: 'URL  cluster API endpoint' },
  { name: 'certificate-authority', kind: FlagKind.VALUE, help: 'B64  cluster CA bundle: base64 of PEM CERTIFICATE blocks, as aws eks describe-cluster returns it' },
  { name: 'service-cidr', kind: FlagKind.VALUE, help: 'CIDR  cluster service CIDR, IPv4 or IPv6, without host bits (10.100.0.0/16)' },
  { name: 'base64', kind: FlagKind.SWITCH, help: '  print the user data base64-encoded' },
  { name: 'out', kind: FlagKind.VALUE, help: 'FILE  write to FILE instead of stdout' },
  { name: 'help', kind: FlagKind.SWITCH, help: '  print this help' },
];

/** The usage text printed by `--help`. */
export function usage(): string {
  const rows = FLAGS.map((flag) => {
    const [placeholder, ...rest] = flag.help.split('  ');
    return `  --${flag.name}${placeholder ? ` ${placeholder}` : ''}\n      ${rest.join('  ').trim()}`;
  });
  return [
    'Usage: npm run -s userdata -- --strategy native|manual|bottlerocket|none [flags]',
    '',
    'Renders EC2 user data that turns on the SOCI snapshotter in parallel pull mode.',
    '',
    'Flags:',
    ...rows,
    '',
    'Example: npm run -s userdata -- --strategy native --max-concurrent-downloads-per-image 10 --chunk-size 16mb',
    '',
  ].join('\n');
}

/**
 * Room for the NodeConfig that EKS managed node groups and Karpenter append
 * to user data without a cluster section; user data with one is complete.
 */
const APPENDED_NODE_CONFIG: UserDataReserve = { bytes: KARPENTER_USER_DATA_RESERVE_BYTES, appendedBy: 'the node group (EKS or Karpenter)' };

/** Runs the command. Never throws for user mistakes: they become stderr and a non-zero exit code. */
export function runUserdataCli(argv: readonly string[]): CliResult {
  let flags: ParsedFlags = new Map();
  try {
    flags = parseFlags(argv, FLAGS);
    if (flags.get('help') === 'true') return { stdout: usage(), stderr: '', exitCode: 0 };
    return render(flags);
  } catch (error) {
    if (error instanceof UsageError) return failure(EXIT_USAGE, `${error.message}\n`);
    if (error instanceof ConfigError) return failure(EXIT_CONFIG, `${flagMessage(error, flags)}\n`);
    throw error;
  }
}

function render(flags: ParsedFlags): CliResult {
  const strategy = parseStrategy(flags.get('strategy'));
  for (const [flag, only] of Object.entries(STRATEGY_ONLY)) {
    if (flags.has(flag) && strategy !== only) throw new UsageError(`--${flag}`, `applies to --strategy ${only} only, not ${strategy}`);
  }
  const cluster = parseCluster(flags);
  if (cluster && strategy === 'bottlerocket') {
    throw new UsageError(`--${CLUSTER_FLAGS[0]}`, 'the cluster flags write a NodeConfig cluster section, which applies to AL2023 strategies (native, manual, none) only');
  }
  const tuning = parseTuning(flags);
  if (strategy === 'none' && tuning) {
    throw new UsageError(`--${Object.keys(TUNING_FLAGS).find((f) => flags.has(f))}`, 'tuning needs a strategy that configures SOCI (native, manual or bottlerocket), not none');
  }
  const userData = bootstrapFor(strategy, flags, tuning).renderUserData(cluster ? { cluster } : {});
  if (userData === undefined) {
    return { stdout: '', stderr: '--strategy none: nothing to render (the AMI already runs SOCI); add the cluster flags for a self-managed node\n', exitCode: 0 };
  }
  // The same size check as a synth; nothing is appended to user data that carries its own cluster section.
  const size = userDataSizeVerdict(userData, cluster ? undefined : APPENDED_NODE_CONFIG);
  if (size?.severity === 'error') return failure(EXIT_CONFIG, `user data: ${size.message}\n`);
  const warning = size ? `warning: user data: ${size.message}\n` : '';
  const content = flags.get('base64') === 'true' ? `${Buffer.from(userData, 'utf8').toString('base64')}\n` : userData;
  const out = flags.get('out');
  if (out !== undefined) {
    return { stdout: '', stderr: `${warning}wrote ${Buffer.byteLength(content)} bytes to ${out}\n`, exitCode: 0, file: { path: out, content } };
  }
  return { stdout: content, stderr: warning, exitCode: 0 };
}

function bootstrapFor(strategy: Strategy, flags: ParsedFlags, tuning: ParallelPullTuning | undefined): INodeBootstrap {
  switch (strategy) {
    case 'native':
      return SociBootstrap.native({ tuning, keepSociDataOnEbs: flags.get('keep-soci-data-on-ebs') === 'true' ? true : undefined });
    case 'manual':
      return SociBootstrap.manualInstall({
        tuning,
        sociVersion: flags.get('soci-version'),
        mirrorBaseUrl: flags.get('mirror'),
        allowInsecureMirror: flags.get('allow-insecure-mirror') === 'true' ? true : undefined,
        sha256: pins(flags),
        containerdConfigVersion: parseContainerdVersion(flags.get('containerd-config-version')),
        sociRoot: flags.get('soci-root'),
      });
    case 'bottlerocket':
      return SociBootstrap.bottlerocket({ tuning });
    case 'none':
      return SociBootstrap.amiDefault();
  }
}

function parseStrategy(value: string | undefined): Strategy {
  if (value === undefined) throw new UsageError('--strategy', `required: one of ${STRATEGIES.join(', ')}`);
  if (!(STRATEGIES as readonly string[]).includes(value)) {
    throw new UsageError('--strategy', `${describeValue(value)} is not allowed; use one of ${STRATEGIES.join(', ')}`);
  }
  return value as Strategy;
}

function parseCluster(flags: ParsedFlags): NodeConfigSpecCluster | undefined {
  const given = CLUSTER_FLAGS.filter((flag) => flags.has(flag));
  if (given.length === 0) return undefined;
  if (given.length < CLUSTER_FLAGS.length) {
    const missing = CLUSTER_FLAGS.filter((flag) => !flags.has(flag)).map((f) => `--${f}`);
    throw new UsageError(`--${given[0]}`, `the cluster flags go together; also give ${missing.join(', ')}`);
  }
  const certificateAuthority = flags.get('certificate-authority')!;
  const caProblem = certificateAuthorityProblem(certificateAuthority);
  if (caProblem) {
    throw new UsageError('--certificate-authority', `${describeValue(new Redacted(`${certificateAuthority.length} characters`))} is not allowed: ${caProblem}; give the cluster's CA bundle as aws eks describe-cluster returns it (base64 of PEM CERTIFICATE blocks only)`);
  }
  const cidr = flags.get('service-cidr')!;
  const cidrError = cidrProblem(cidr);
  if (cidrError) {
    throw new UsageError('--service-cidr', `${describeValue(cidr)} is not allowed: ${cidrError}; give the cluster's service CIDR, such as "10.100.0.0/16" or "fd00:10:96::/108"`);
  }
  return {
    name: flags.get('cluster-name'),
    apiServerEndpoint: flags.get('api-server-endpoint'),
    certificateAuthority,
    cidr,
  };
}

function parseTuning(flags: ParsedFlags): ParallelPullTuning | undefined {
  if (!Object.keys(TUNING_FLAGS).some((flag) => flags.has(flag))) return undefined;
  const count = (flag: string) => {
    const value = flags.get(flag);
    if (value === undefined) return undefined;
    if (value === 'unbounded') return UNBOUNDED;
    if (!/^-?\d+$/.test(value)) throw new UsageError(`--${flag}`, `${describeValue(value)} is not allowed; use a positive whole number or "unbounded"`);
    return Number(value);
  };
  const gzip = decompressor(flags, 'decompress-gzip');
  const zstd = decompressor(flags, 'decompress-zstd');
  return {
    maxConcurrentDownloads: count('max-concurrent-downloads'),
    maxConcurrentDownloadsPerImage: count('max-concurrent-downloads-per-image'),
    maxConcurrentUnpacks: count('max-concurrent-unpacks'),
    maxConcurrentUnpacksPerImage: count('max-concurrent-unpacks-per-image'),
    concurrentDownloadChunkSize: chunkSize(flags.get('chunk-size')),
    discardUnpackedLayers: parseBoolean('discard-unpacked-layers', flags.get('discard-unpacked-layers')),
    decompressStreams: gzip || zstd ? { ...(gzip ? { gzip } : {}), ...(zstd ? { zstd } : {}) } : undefined,
  };
}

function chunkSize(value: string | undefined): ChunkSize | undefined {
  if (value === undefined) return undefined;
  if (value === 'whole-layer' || value === 'unlimited') return ChunkSize.wholeLayer();
  try {
    return ChunkSize.of(value);
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError('--chunk-size', `${describeValue(value)} is not allowed: ${inFlagSpelling(error.allowed)}; or "whole-layer"`);
    throw error;
  }
}

function parseBoolean(flag: string, value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  if (value !== 'true' && value !== 'false') throw new UsageError(`--${flag}`, `${describeValue(value)} is not allowed; use true or false`);
  return value === 'true';
}

function decompressor(flags: ParsedFlags, flag: string): DecompressStream | undefined {
  const value = flags.get(flag);
  if (value === undefined) return undefined;
  const [path, ...args] = value.trim().split(/\s+/);
  if (!path) throw new UsageError(`--${flag}`, 'needs "PATH [ARGS...]", for example "/usr/bin/unpigz -d -c"');
  return { path, args };
}

function pins(flags: ParsedFlags): { amd64?: string; arm64?: string } | undefined {
  const amd64 = flags.get('sha256-amd64');
  const arm64 = flags.get('sha256-arm64');
  return amd64 === undefined && arm64 === undefined ? undefined : { amd64, arm64 };
}

function parseContainerdVersion(value: string | undefined): ContainerdConfigVersion | undefined {
  if (value === undefined) return undefined;
  if (value === '2') return ContainerdConfigVersion.V2;
  if (value === '3') return ContainerdConfigVersion.V3;
  throw new UsageError('--containerd-config-version', `${describeValue(value)} is not allowed; use 2 (containerd 1.7) or 3 (containerd 2.x)`);
}

/** Builder props and the flag that sets each, so a builder's refusal names what the user typed. */
const FLAG_OF_FIELD: Record<string, string> = {
  'sociVersion': 'soci-version',
  'mirrorBaseUrl': 'mirror',
  'allowInsecureMirror': 'allow-insecure-mirror',
  'sha256.amd64': 'sha256-amd64',
  'sha256.arm64': 'sha256-arm64',
  'containerdConfigVersion': 'containerd-config-version',
  'sociRoot': 'soci-root',
  'keepSociDataOnEbs': 'keep-soci-data-on-ebs',
  'cluster.name': 'cluster-name',
  'cluster.apiServerEndpoint': 'api-server-endpoint',
  'cluster.certificateAuthority': 'certificate-authority',
  'cluster.cidr': 'service-cidr',
  ...Object.fromEntries(Object.entries(TUNING_FLAGS).filter(([, option]) => option !== 'decompressStreams').map(([flag, option]) => [`tuning.${option}`, flag])),
  'tuning.decompressStreams.gzip.path': 'decompress-gzip',
  'tuning.decompressStreams.gzip.args': 'decompress-gzip',
  'tuning.decompressStreams.zstd.path': 'decompress-zstd',
  'tuning.decompressStreams.zstd.args': 'decompress-zstd',
  'tuning.decompressStreams': 'decompress-gzip',
};

/**
 * The builders explain themselves in prop spelling; the command's user typed
 * flags. Each prop name (with or without `tuning.`) and each constant becomes
 * what the user would type instead. Longest first, so no name is replaced inside another.
 */
const FLAG_SPELLINGS: ReadonlyArray<[RegExp, string]> = [
  ['UNBOUNDED (-1)', '"unbounded"'],
  ['-1', '"unbounded" (-1)'],
  ['allowInsecureMirror: true', '--allow-insecure-mirror'],
  ['pin sha256 for amd64 and arm64', 'give --sha256-amd64 and --sha256-arm64'],
  ['ChunkSize.wholeLayer()', '"whole-layer"'],
  ...Object.entries(FLAG_OF_FIELD).map(([field, flag]): [string, string] => [field, `--${flag}`]),
  ...Object.entries(TUNING_FLAGS).filter(([, option]) => option !== 'decompressStreams').map(([flag, option]): [string, string] => [option, `--${flag}`]),
]
  .sort(([a], [b]) => b.length - a.length)
  .map(([prop, flag]) => [new RegExp(`(?<![\\w.-])${prop.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\w-])`, 'g'), flag]);

/** A builder's explanation in the flags' spelling. */
export function inFlagSpelling(text: string): string {
  return FLAG_SPELLINGS.reduce((result, [prop, flag]) => result.replace(prop, flag), text);
}

/**
 * A builder's refusal as `--flag: VALUE is invalid: what is allowed`, showing
 * the value as typed (a redacted one as its description), in flag spelling.
 */
function flagMessage(error: ConfigError, flags: ParsedFlags): string {
  // Both decompressor flags set `decompressStreams`: name the one that was given.
  const flag = error.field === 'tuning.decompressStreams' ? ['decompress-gzip', 'decompress-zstd'].find((f) => flags.has(f)) : FLAG_OF_FIELD[error.field];
  if (!flag) return inFlagSpelling(error.message);
  const allowed = inFlagSpelling(error.allowed);
  if (FLAGS.find((spec) => spec.name === flag)?.kind === FlagKind.SWITCH) return `--${flag}: ${allowed}`;
  const shown = error.value instanceof Redacted ? error.value : flags.get(flag) ?? error.value;
  return `--${flag}: ${describeValue(shown)} is invalid: ${allowed}`;
}

function failure(exitCode: number, stderr: string): CliResult {
  return { stdout: '', stderr, exitCode };
}
