/**
 * What an EC2NodeClass does at boot, derived once from its manifest and
 * shared by all checks: AMI family, the parts of its user data, the merged
 * NodeConfig view and whether (and how) SOCI is turned on.
 */
import { parse as parseToml } from 'smol-toml';
import { cachedBounded } from './bounded-cache';
import { at, isObject, Json } from './manifest-kinds';
import { readBottlerocketUserData, readNodeadmUserData, ReadUserData, SHELL_CONTENT_TYPE } from './user-data-reader';

export type UserDataFamily = 'nodeadm' | 'bottlerocket' | 'windows';

/** How SOCI is turned on: nodeadm's gate, a hand-rolled install, or Bottlerocket's setting. */
export type SociMode = 'native' | 'manual' | 'bottlerocket';

export interface NodeClassFacts {
  readonly manifest: Json;
  readonly family: UserDataFamily;
  readonly userData?: string;
  readonly read: ReadUserData;
  readonly sociModes: ReadonlySet<SociMode>;
  /** `localStorage.disabledMounts` after merging the NodeConfig documents. */
  readonly disabledMounts: readonly string[];
}

/** The user-data dialect: Bottlerocket TOML, Windows PowerShell, or nodeadm/cloud-init (AL2023, AL2, Custom). */
export function userDataFamily(manifest: Json): UserDataFamily {
  const amiFamily = at(manifest, 'spec', 'amiFamily');
  const terms = at(manifest, 'spec', 'amiSelectorTerms');
  const alias = Array.isArray(terms) ? terms.map((t) => at(t, 'alias')).find((a) => typeof a === 'string') : undefined;
  const aliasFamily = typeof alias === 'string' ? alias.split('@')[0] : undefined;
  if (amiFamily === 'Bottlerocket' || (amiFamily !== 'Custom' && aliasFamily === 'bottlerocket')) return 'bottlerocket';
  if ((typeof amiFamily === 'string' && amiFamily.startsWith('Windows')) || aliasFamily?.startsWith('windows')) return 'windows';
  return 'nodeadm';
}

export function nodeClassFacts(manifest: Json): NodeClassFacts {
  const family = userDataFamily(manifest);
  const raw = at(manifest, 'spec', 'userData');
  const userData = typeof raw === 'string' ? raw : undefined;
  return { manifest, family, userData, ...userDataFacts(family, userData) };
}

type UserDataFacts = Pick<NodeClassFacts, 'read' | 'sociModes' | 'disabledMounts'>;

/**
 * What user data says, read once per process per family and content: one object is
 * checked at construction, at synth and by the validation gate, and node classes
 * often share their user data. The facts are read-only, so sharing them is safe.
 */
const userDataFactsCache = new Map<UserDataFamily, Map<string, UserDataFacts>>();
/** Bounds what the cache holds in a long-running process; the oldest entries go first. */
const MAX_CACHED_USER_DATA = 5_000;

function userDataFacts(family: UserDataFamily, userData: string | undefined): UserDataFacts {
  if (userData === undefined) return factsOf(readUserData(family, undefined));
  let byContent = userDataFactsCache.get(family);
  if (!byContent) userDataFactsCache.set(family, (byContent = new Map()));
  return cachedBounded(byContent, userData, MAX_CACHED_USER_DATA, () => factsOf(readUserData(family, userData)));
}

function readUserData(family: UserDataFamily, userData: string | undefined): ReadUserData {
  if (userData !== undefined && family === 'bottlerocket') return readBottlerocketUserData(userData);
  if (userData !== undefined && family === 'nodeadm') return readNodeadmUserData(userData);
  return { format: 'empty', parts: [], nodeConfigs: [], problems: [] };
}

function factsOf(read: ReadUserData): UserDataFacts {
  return { read, sociModes: sociModes(read), disabledMounts: mergedDisabledMounts(read) };
}

/** `featureGates.FastImagePull` after nodeadm's merge: later documents win. */
export function fastImagePull(read: ReadUserData): boolean {
  let enabled = false;
  for (const { document } of read.nodeConfigs) {
    const value = at(document, 'spec', 'featureGates', 'FastImagePull');
    if (typeof value === 'boolean') enabled = value;
  }
  return enabled;
}

function mergedDisabledMounts(read: ReadUserData): readonly string[] {
  let mounts: readonly string[] = [];
  for (const { document } of read.nodeConfigs) {
    const value = at(document, 'spec', 'instance', 'localStorage', 'disabledMounts');
    // Lists are replaced, not appended, when nodeadm merges documents.
    if (Array.isArray(value) && value.length > 0) mounts = value.filter((v): v is string => typeof v === 'string');
  }
  return mounts;
}

function sociModes(read: ReadUserData): ReadonlySet<SociMode> {
  const modes = new Set<SociMode>();
  if (fastImagePull(read)) modes.add('native');
  if (hasManualProxyPlugin(read)) modes.add('manual');
  if (at(read.bottlerocketSettings, 'settings', 'container-runtime', 'snapshotter') === 'soci') modes.add('bottlerocket');
  return modes;
}

/**
 * A hand-rolled install registers SOCI as containerd's `proxy_plugins.soci`,
 * either in a NodeConfig `containerd.config` or from a shell part.
 */
function hasManualProxyPlugin(read: ReadUserData): boolean {
  for (const { document } of read.nodeConfigs) {
    const config = at(document, 'spec', 'containerd', 'config');
    if (typeof config === 'string' && isObject(at(tomlOrUndefined(config), 'proxy_plugins', 'soci'))) return true;
  }
  return read.parts.some((p) => p.mediaType === SHELL_CONTENT_TYPE && /proxy_plugins\.['"]?soci\b/.test(p.body));
}

export function tomlOrUndefined(text: string): Json | undefined {
  try {
    return parseToml(text) as Json;
  } catch {
    return undefined;
  }
}
