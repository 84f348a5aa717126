/**
 * Guards for SOCI set-ups that the schemas accept but that would not work, or
 * not work well, on a node. Each explains why and how to fix it; the
 * acknowledgeable ones name their {@link SociGuard} id.
 */
import {
  al2023AmiProblem,
  Al2023AmiRequirement,
  FAST_IMAGE_PULL_AMI,
  isValidConcurrency,
  NATIVE_MIN_MEMORY_MIB,
  NATIVE_MIN_VCPU,
  parseSociChunkSize,
  RECOMMENDED_EBS_THROUGHPUT_MIBPS,
  SOCI_CONFIG_PATH,
  SOCI_DISABLED_MOUNT_AMI,
} from '../bootstrap/soci-facts';
import { bottlerocketSociProblems } from '../bootstrap/bottlerocket-settings';
import { parseSettingsExactly } from '../bootstrap/karpenter-bottlerocket-settings';
import { SociGuard } from './acknowledgements';
import { childPointer, Finding, finding, ObjectRef } from './finding';
import { GuardTarget, guardFinding, userDataPath } from './guard-finding';
import { at, isObject, Json } from './manifest-kinds';
import { NodeClassFacts, tomlOrUndefined } from './node-class-facts';
import { INSTANCE_CPU_LABEL, INSTANCE_MEMORY_LABEL, instanceFloor } from './requirement-bounds';
import { findSociConfigs } from './soci-config-reader';
import { KARPENTER_RESERVE, userDataSizeVerdict } from './user-data-size';

/** Rule ids of non-acknowledgeable findings: SOCI or nodeadm would refuse the configuration. */
export const SOCI_CONFIG_RULE = 'soci-config';
export const CONTAINERD_TOML_RULE = 'containerd-config-toml';

/** gp3 without `throughput` gets the gp3 baseline. */
export const GP3_BASELINE_THROUGHPUT_MIBPS = 125;

// ---------------------------------------------------------------------------------------------
// SMALL_INSTANCES

/** FastImagePull on a NodePool that also allows instances nodeadm turns the gate off for. */
export function checkSmallInstances(nodePool: GuardTarget, nodeClassName: string): Finding[] {
  const requirements = at(nodePool.manifest, 'spec', 'template', 'spec', 'requirements');
  const floor = instanceFloor(requirements);
  if (floor.minVcpu >= NATIVE_MIN_VCPU && floor.minMemoryMib >= NATIVE_MIN_MEMORY_MIB) return [];
  const allowed = `smallest allowed: ${floor.minVcpu > 0 ? `${floor.minVcpu} vCPU` : 'any vCPU'}, ${floor.minMemoryMib > 0 ? `${floor.minMemoryMib} MiB` : 'any memory'}`;
  return [
    guardFinding(
      nodePool,
      SociGuard.SMALL_INSTANCES,
      '/spec/template/spec/requirements',
      requirements,
      `EC2NodeClass ${JSON.stringify(nodeClassName)} turns on FastImagePull, but this NodePool's requirements allow instances below ${NATIVE_MIN_VCPU} vCPU or ${NATIVE_MIN_MEMORY_MIB / 1024} GiB (${allowed}); nodeadm silently ignores the gate there and those nodes pull without SOCI. ` +
        `Fix: add requirements {key: ${INSTANCE_CPU_LABEL}, operator: Gte, values: ["${NATIVE_MIN_VCPU}"]} and {key: ${INSTANCE_MEMORY_LABEL}, operator: Gte, values: ["${NATIVE_MIN_MEMORY_MIB}"]} (instance-type lists cannot be checked, so add the bounds too).`,
    ),
  ];
}

// ---------------------------------------------------------------------------------------------
// EBS_THROUGHPUT

/** Where SOCI keeps its data, and whether that is the EBS volume rather than the instance-store array. */
function sociDataOnEbs(facts: NodeClassFacts): boolean {
  const raid0 = at(facts.manifest, 'spec', 'instanceStorePolicy') === 'RAID0';
  if (!raid0) return true;
  // Karpenter's Bottlerocket RAID0 binds containerd, kubelet and pod logs, not SOCI's root (karpenter#8393).
  if (facts.sociModes.has('bottlerocket')) return true;
  if (facts.sociModes.has('native') && facts.disabledMounts.includes('SOCI')) return true;
  // The manual install keeps SOCI's root under /var/lib/containerd, which RAID0 binds unless disabled.
  if (facts.sociModes.has('manual') && facts.disabledMounts.includes('Containerd')) return true;
  return false;
}

interface VolumeChoice {
  readonly jsonPath: string;
  readonly ebs?: Json;
  readonly deviceName: string;
}

/** The volume SOCI data lands on: the root volume, or Bottlerocket's data volume /dev/xvdb. */
function sociVolume(facts: NodeClassFacts): VolumeChoice {
  const mappings = at(facts.manifest, 'spec', 'blockDeviceMappings');
  const list = Array.isArray(mappings) ? mappings : [];
  const bottlerocket = facts.family === 'bottlerocket';
  const deviceName = bottlerocket ? '/dev/xvdb' : '/dev/xvda';
  const index = bottlerocket
    ? list.findIndex((m) => at(m, 'deviceName') === deviceName)
    : list.findIndex((m) => at(m, 'rootVolume') === true) >= 0
      ? list.findIndex((m) => at(m, 'rootVolume') === true)
      : list.findIndex((m) => at(m, 'deviceName') === deviceName);
  if (index < 0) return { jsonPath: '/spec/blockDeviceMappings', deviceName };
  const ebs = at(list[index], 'ebs');
  return { jsonPath: `/spec/blockDeviceMappings/${index}/ebs`, ebs: isObject(ebs) ? ebs : undefined, deviceName: String(at(list[index], 'deviceName') ?? deviceName) };
}

export function checkEbsThroughput(target: GuardTarget, facts: NodeClassFacts): Finding[] {
  if (facts.sociModes.size === 0 || !sociDataOnEbs(facts)) return [];
  const volume = sociVolume(facts);
  const volumeType = volume.ebs?.volumeType;
  // io1/io2 throughput scales with provisioned IOPS; the recommendation is about gp3.
  if (volumeType === 'io1' || volumeType === 'io2') return [];
  const fix = `Fix: set ebs {volumeType: gp3, throughput: ${RECOMMENDED_EBS_THROUGHPUT_MIBPS}} (up to 1000) on ${volume.deviceName}, or use instance types with local NVMe and instanceStorePolicy: RAID0.`;
  const why = `SOCI unpacks images onto ${volume.deviceName}; its docs warn of slower pulls below ${RECOMMENDED_EBS_THROUGHPUT_MIBPS} MiB/s.`;
  if (volumeType !== undefined && volumeType !== 'gp3') {
    return [guardFinding(target, SociGuard.EBS_THROUGHPUT, childPointer(volume.jsonPath, 'volumeType'), volumeType, `volumeType ${JSON.stringify(volumeType)} cannot reach ${RECOMMENDED_EBS_THROUGHPUT_MIBPS} MiB/s. ${why} ${fix}`)];
  }
  const throughput = typeof volume.ebs?.throughput === 'number' ? volume.ebs.throughput : GP3_BASELINE_THROUGHPUT_MIBPS;
  if (throughput >= RECOMMENDED_EBS_THROUGHPUT_MIBPS) return [];
  const path = volume.ebs ? childPointer(volume.jsonPath, 'throughput') : volume.jsonPath;
  const shown = volume.ebs?.throughput === undefined ? `no throughput (gp3 baseline ${GP3_BASELINE_THROUGHPUT_MIBPS} MiB/s)` : `throughput ${throughput} MiB/s`;
  return [guardFinding(target, SociGuard.EBS_THROUGHPUT, path, volume.ebs?.throughput, `SOCI data is on EBS with ${shown}. ${why} ${fix}`)];
}

// ---------------------------------------------------------------------------------------------
// CONTAINERD_CONFIG

const CONTAINERD_V2_NAMES = ['io.containerd.grpc.v1.cri'];
const CONTAINERD_V3_NAMES = ['io.containerd.cri.v1.images', 'io.containerd.cri.v1.runtime'];
/** Keys of SOCI's own config.toml; containerd ignores them (data-on-eks SOCI guide). */
const SOCI_ONLY_KEYS = new Set([
  'pull_modes',
  'parallel_pull_unpack',
  'max_concurrent_downloads',
  'max_concurrent_downloads_per_image',
  'max_concurrent_unpacks',
  'max_concurrent_unpacks_per_image',
  'concurrent_download_chunk_size',
  'decompress_streams',
  'experimental_parallel_pull_as_fallback',
  'content_store',
  'cri_keychain',
  'kubeconfig_keychain',
  'soci_v1',
  'soci_v2',
]);

function findKeys(value: unknown, wanted: ReadonlySet<string>, prefix: string[] = []): string[] {
  if (!isObject(value)) return [];
  return Object.entries(value).flatMap(([key, item]) => {
    const path = [...prefix, key];
    return wanted.has(key) ? [path.join('.')] : findKeys(item, wanted, path);
  });
}

export function checkContainerdConfig(target: GuardTarget, facts: NodeClassFacts): Finding[] {
  const findings: Finding[] = [];
  for (const { partIndex, document } of facts.read.nodeConfigs) {
    const config = at(document, 'spec', 'containerd', 'config');
    if (typeof config !== 'string') continue;
    const path = userDataPath(partIndex, '/spec/containerd/config');
    const parsed = tomlOrUndefined(config);
    if (!parsed) {
      findings.push(finding(target.ref, 'error', CONTAINERD_TOML_RULE, path, config, 'containerd.config is not valid TOML; nodeadm fails to merge it and the node never joins. Fix the TOML syntax.'));
      continue;
    }
    const v2 = CONTAINERD_V2_NAMES.filter((n) => config.includes(n));
    const v3 = CONTAINERD_V3_NAMES.filter((n) => config.includes(n));
    if (v2.length > 0 && v3.length > 0) {
      findings.push(
        guardFinding(target, SociGuard.CONTAINERD_CONFIG, path, config, `containerd.config mixes schema v2 plugin names (${v2.join(', ')}) with v3 names (${v3.join(', ')}); nodeadm merges it into a v3 file without migrating the v2 keys, so they are ignored (on containerd 1.x the v3 names fail the boot). Fix: use only v3 names (plugins.'io.containerd.cri.v1.images' / 'io.containerd.cri.v1.runtime') on containerd 2.x AMIs.`),
      );
    }
    const sociKeys = findKeys(parsed, SOCI_ONLY_KEYS);
    if (sociKeys.length > 0) {
      findings.push(
        guardFinding(target, SociGuard.CONTAINERD_CONFIG, path, sociKeys, `containerd.config carries SOCI snapshotter settings (${sociKeys.join(', ')}); containerd ignores them and no NodeConfig field reaches SOCI's ${SOCI_CONFIG_PATH}. Fix: tune SOCI through the bootstrap's SOCI settings (a shell part that writes ${SOCI_CONFIG_PATH}).`),
      );
    }
  }
  return findings;
}

// ---------------------------------------------------------------------------------------------
// CONTENT_STORE, chunk size and concurrency of SOCI's config.toml

const CONCURRENCY_KEYS = ['max_concurrent_downloads', 'max_concurrent_downloads_per_image', 'max_concurrent_unpacks', 'max_concurrent_unpacks_per_image'];

export function checkSociConfig(target: GuardTarget, facts: NodeClassFacts): Finding[] {
  const findings: Finding[] = [...checkBottlerocketSociSettings(target.ref, facts)];
  for (const document of findSociConfigs(facts.read.parts)) {
    const base = userDataPath(document.partIndex, '/SOCI_CONFIG_TOML');
    if (!document.config) {
      findings.push(finding(target.ref, 'error', SOCI_CONFIG_RULE, base, document.text, `SOCI's config.toml is not valid TOML (${document.parseError}); soci-snapshotter-grpc refuses to start and no image can be pulled. Fix the TOML syntax.`));
      continue;
    }
    const parallel = at(document.config, 'pull_modes', 'parallel_pull_unpack');
    const enabled = at(parallel, 'enable') === true || at(parallel, 'experimental_parallel_pull_as_fallback') === true;
    const storeType = at(document.config, 'content_store', 'type') ?? 'soci';
    if (enabled && storeType !== 'containerd' && at(parallel, 'discard_unpacked_layers') !== true) {
      findings.push(
        guardFinding(target, SociGuard.CONTENT_STORE, `${base}/content_store/type`, storeType, `parallel_pull_unpack is enabled with content_store type ${JSON.stringify(storeType)} (the effective default is "soci") and discard_unpacked_layers false; soci-snapshotter-grpc refuses to start ("parallel_pull_unpack mode requires containerd content store"). Fix: set [content_store] type = "containerd", or discard_unpacked_layers = true.`),
      );
    }
    findings.push(...checkParallelValues(target.ref, base, parallel));
  }
  return findings;
}

/** SOCI settings in Bottlerocket user data, checked like the bootstrap's own tuning. */
function checkBottlerocketSociSettings(ref: ObjectRef, facts: NodeClassFacts): Finding[] {
  if (facts.family !== 'bottlerocket' || facts.userData === undefined || !facts.read.bottlerocketSettings) return [];
  const parsed = parseSettingsExactly(facts.userData);
  if ('error' in parsed) return [];
  return bottlerocketSociProblems(parsed.document).map((p) =>
    finding(ref, 'error', SOCI_CONFIG_RULE, `/spec/userData[${p.path}]`, p.value, `${p.path} is invalid: ${p.allowed}.`));
}

function checkParallelValues(ref: ObjectRef, base: string, parallel: unknown): Finding[] {
  if (!isObject(parallel)) return [];
  const findings: Finding[] = [];
  const path = (key: string) => `${base}/pull_modes/parallel_pull_unpack/${key}`;
  const chunk = parallel.concurrent_download_chunk_size;
  if (chunk !== undefined && (typeof chunk !== 'string' || parseSociChunkSize(chunk) === undefined)) {
    findings.push(finding(ref, 'error', SOCI_CONFIG_RULE, path('concurrent_download_chunk_size'), chunk, `concurrent_download_chunk_size must be a string such as "16mb" (units b, kb, mb, gb, binary; "0" or "" for whole layers); SOCI rejects ${JSON.stringify(chunk)} ("invalid size format") and does not start. "MiB" suffixes and negative values are not accepted.`));
  }
  for (const key of CONCURRENCY_KEYS) {
    const value = parallel[key];
    if (value === undefined) continue;
    const numeric = typeof value === 'bigint' ? Number(value) : value;
    if (typeof numeric !== 'number' || !isValidConcurrency(numeric)) {
      findings.push(finding(ref, 'error', SOCI_CONFIG_RULE, path(key), value, `${key} must be a positive integer or -1 (unbounded); 0, other negatives and non-integers stall or break pulls.`));
    }
  }
  return findings;
}

// ---------------------------------------------------------------------------------------------
// USER_DATA_SIZE

export function checkUserDataSize(target: GuardTarget, facts: NodeClassFacts): Finding[] {
  if (facts.userData === undefined) return [];
  const verdict = userDataSizeVerdict(facts.userData, KARPENTER_RESERVE);
  if (!verdict) return [];
  const value = `${verdict.bytes} bytes`;
  return [
    verdict.severity === 'error'
      ? guardFinding(target, SociGuard.USER_DATA_SIZE, '/spec/userData', value, verdict.message)
      : finding(target.ref, 'warning', SociGuard.USER_DATA_SIZE, '/spec/userData', value, verdict.message),
  ];
}

// ---------------------------------------------------------------------------------------------
// HELM_TEMPLATE_BRACES

export function checkHelmBraces(target: GuardTarget): Finding[] {
  const findings: Finding[] = [];
  const visit = (value: unknown, pointer: string): void => {
    if (typeof value === 'string') {
      if (value.includes('{{') || value.includes('}}')) {
        findings.push(guardFinding(target, SociGuard.HELM_TEMPLATE_BRACES, pointer, value, 'a string contains "{{" or "}}" and the output is a Helm chart: Helm would parse it as a template and fail or change it. Fix: turn on Helm escaping, or remove the braces.'));
      }
    } else if (Array.isArray(value)) {
      value.forEach((item, i) => visit(item, childPointer(pointer, i)));
    } else if (isObject(value)) {
      for (const [key, item] of Object.entries(value)) visit(item, childPointer(pointer, key));
    }
  };
  visit(target.manifest, '');
  return findings;
}

// ---------------------------------------------------------------------------------------------
// AMI releases that lack, or break, a SOCI feature the user data turns on

/** Rule id: not acknowledgeable, the node would never use SOCI or never join. */
export const AMI_RELEASE_RULE = 'ami-release';

/** The features this node class's user data turns on that depend on the AL2023 AMI release. */
function al2023AmiRequirements(facts: NodeClassFacts): Al2023AmiRequirement[] {
  const requirements: Al2023AmiRequirement[] = [];
  if (facts.sociModes.has('native')) requirements.push(FAST_IMAGE_PULL_AMI);
  if (facts.disabledMounts.includes('SOCI')) requirements.push(SOCI_DISABLED_MOUNT_AMI);
  return requirements;
}

/** Each such feature against every pinned `al2023@` alias (release data in soci-facts). */
export function checkAmiReleases(target: GuardTarget, facts: NodeClassFacts): Finding[] {
  const terms = at(facts.manifest, 'spec', 'amiSelectorTerms');
  const requirements = al2023AmiRequirements(facts);
  if (!Array.isArray(terms) || requirements.length === 0) return [];
  return terms.flatMap((term, i) => {
    const alias = at(term, 'alias');
    const version = typeof alias === 'string' ? /^al2023@(.+)$/.exec(alias)?.[1] : undefined;
    if (version === undefined) return [];
    return requirements.flatMap((requirement) => {
      const problem = al2023AmiProblem(requirement, version);
      return problem ? [finding(target.ref, 'error', AMI_RELEASE_RULE, `/spec/amiSelectorTerms/${i}/alias`, alias, `${problem}.`)] : [];
    });
  });
}
