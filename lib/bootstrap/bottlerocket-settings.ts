import { ConfigError, describeValue } from '../errors';
import { isTomlTable, mergeTomlTables, parseUserToml, renderToml, TomlTable } from '../userdata/toml';
import { isTable, KARPENTER_SETTINGS_VERSION, karpenterSettingsMismatches, parseSettingsExactly, plainValue } from './karpenter-bottlerocket-settings';
import { checkConcurrencyOrder, ParallelPullTuning, tuningEntries } from './parallel-pull-tuning';
import { SOCI_PARALLEL_DEFAULTS } from './soci-config';
import { UNBOUNDED } from './soci-facts';

/** Bottlerocket's settings table for SOCI (bottlerocket-settings-models, since Bottlerocket 1.44.0). */
export const BOTTLEROCKET_SOCI_PLUGIN_PATH = ['settings', 'container-runtime-plugins', 'soci-snapshotter'] as const;

/**
 * The Bottlerocket settings TOML that selects SOCI in parallel pull/unpack
 * mode. The `parallel-pull-unpack` table is written only when tuning is given,
 * so otherwise Bottlerocket's defaults apply.
 *
 * Bottlerocket reads unit strings in decimal (`"16mb"` = 16,000,000 bytes), so
 * the chunk size is written as integer bytes, or `"unlimited"`.
 */
export function bottlerocketSociSettings(where: string, tuning: ParallelPullTuning): TomlTable {
  checkBottlerocketTuning(where, tuning);
  const parallel: TomlTable = {};
  // Bottlerocket's keys are SOCI's in kebab-case; only the chunk-size units differ.
  for (const [key, value] of tuningEntries(tuning, (chunk) => chunk.toBottlerocketValue())) parallel[key.replace(/_/g, '-')] = value;
  const plugin: TomlTable = { 'pull-mode': 'parallel-pull-unpack' };
  if (Object.keys(parallel).length > 0) plugin['parallel-pull-unpack'] = parallel;
  return {
    'settings': {
      'container-runtime': { snapshotter: 'soci' },
      'container-runtime-plugins': { 'soci-snapshotter': plugin },
    },
  };
}

function checkBottlerocketTuning(where: string, tuning: ParallelPullTuning): void {
  if (tuning.decompressStreams !== undefined) {
    throw new ConfigError(where, 'tuning.decompressStreams', tuning.decompressStreams, 'Bottlerocket has no decompressor setting (it always uses /usr/bin/soci-gunzip); leave it unset');
  }
  // Bottlerocket documents only positive counts for the per-image limits.
  for (const option of ['maxConcurrentDownloadsPerImage', 'maxConcurrentUnpacksPerImage'] as const) {
    const value = tuning[option];
    if (value !== undefined && value < 1) {
      throw new ConfigError(where, `tuning.${option}`, value, 'a positive whole number (Bottlerocket does not accept -1 for per-image limits)');
    }
  }
  checkConcurrencyOrder(where, tuning, {
    maxConcurrentDownloads: tuning.maxConcurrentDownloads ?? SOCI_PARALLEL_DEFAULTS.maxConcurrentDownloads,
    maxConcurrentDownloadsPerImage: tuning.maxConcurrentDownloadsPerImage ?? SOCI_PARALLEL_DEFAULTS.maxConcurrentDownloadsPerImage,
    maxConcurrentUnpacks: tuning.maxConcurrentUnpacks ?? SOCI_PARALLEL_DEFAULTS.maxConcurrentUnpacks,
    maxConcurrentUnpacksPerImage: tuning.maxConcurrentUnpacksPerImage ?? SOCI_PARALLEL_DEFAULTS.maxConcurrentUnpacksPerImage,
  }, 'Bottlerocket');
}

/**
 * Deep-merges the user's settings TOML with SOCI's. The user's tables come
 * first and keep their order. A user key that would change a SOCI setting is
 * an error, not a silent override; an identical value is accepted.
 *
 * Karpenter keeps only the top-level `[settings]` table, so anything else is refused.
 */
export function mergeBottlerocketSettings(where: string, soci: TomlTable, userSettings: string | undefined): string {
  if (userSettings === undefined) return renderToml(soci);
  const user = parseUserToml(where, 'bottlerocketSettings', userSettings);
  for (const key of Object.keys(user)) {
    if (key !== 'settings' || !isTomlTable(user[key])) {
      throw new ConfigError(where, `bottlerocketSettings.${key}`, user[key], 'only a [settings] table; Karpenter drops every other top-level key');
    }
  }
  const { merged, conflicts } = mergeTomlTables(user, soci);
  if (conflicts.length > 0) {
    const [first] = conflicts;
    throw new ConfigError(
      where,
      `bottlerocketSettings ${first.path}`,
      first.existing,
      `${first.path} is set by the SOCI bootstrap to ${describeValue(first.incoming)}; remove it from bottlerocketSettings (or set it through the bootstrap's tuning)`,
    );
  }
  const text = renderToml(merged);
  checkBottlerocketUserData(where, text);
  return text;
}

/**
 * Refuses rendered Bottlerocket user data that Karpenter would reject or trim
 * (its typed `settings.kubernetes`) or whose SOCI settings Bottlerocket or SOCI
 * would refuse. The rendered text is checked, not the user's, because it is
 * what Karpenter decodes (a float `110.0` the user wrote is an integer by then).
 */
export function checkBottlerocketUserData(where: string, text: string): void {
  const parsed = parseSettingsExactly(text);
  if ('error' in parsed) throw new ConfigError(where, 'bottlerocketSettings', text.split('\n', 1)[0], `valid TOML is required (${parsed.error})`);
  const [karpenter] = karpenterSettingsMismatches(parsed.document);
  if (karpenter) {
    const why = karpenter.effect === 'rejected'
      ? `Karpenter ${KARPENTER_SETTINGS_VERSION} decodes ${karpenter.path} into a typed Go field and rejects the whole user data otherwise ("invalid UserData": no launch template, no node)`
      : `Karpenter ${KARPENTER_SETTINGS_VERSION} rewrites this table from its typed struct and silently drops any other key, so the node would never get it (use the EC2NodeClass kubelet fields where Karpenter models the setting)`;
    throw new ConfigError(where, `bottlerocketSettings ${karpenter.path}`, karpenter.value, `${karpenter.expected}; ${why}`);
  }
  const [soci] = bottlerocketSociProblems(parsed.document);
  if (soci) throw new ConfigError(where, `bottlerocketSettings ${soci.path}`, soci.value, soci.allowed);
}

/** A SOCI setting in Bottlerocket user data that Bottlerocket or SOCI would refuse. */
export interface BottlerocketSettingProblem {
  /** Dotted TOML key path. */
  readonly path: string;
  readonly value: unknown;
  /** What is allowed and why, as a sentence fragment. */
  readonly allowed: string;
}

const PLUGIN_PATH = BOTTLEROCKET_SOCI_PLUGIN_PATH.join('.');
const PARALLEL_PATH = `${PLUGIN_PATH}.parallel-pull-unpack`;
/** The keys of Bottlerocket's SociSnapshotterSettings and SociSnapshotterParallelPullUnpack (settings models since 1.44.0). */
const PLUGIN_KEYS = ['pull-mode', 'parallel-pull-unpack'];
const TOTAL_KEYS = ['max-concurrent-downloads', 'max-concurrent-unpacks'] as const;
const PER_IMAGE_KEYS = ['max-concurrent-downloads-per-image', 'max-concurrent-unpacks-per-image'] as const;
const CHUNK_KEY = 'concurrent-download-chunk-size';
const DISCARD_KEY = 'discard-unpacked-layers';
const PARALLEL_KEYS: readonly string[] = [...TOTAL_KEYS, ...PER_IMAGE_KEYS, CHUNK_KEY, DISCARD_KEY];
/** Bottlerocket's defaults for each total / per-image pair (its settings documentation). */
const BOTTLEROCKET_DEFAULTS: Record<string, number> = {
  'max-concurrent-downloads': SOCI_PARALLEL_DEFAULTS.maxConcurrentDownloads,
  'max-concurrent-downloads-per-image': SOCI_PARALLEL_DEFAULTS.maxConcurrentDownloadsPerImage,
  'max-concurrent-unpacks': SOCI_PARALLEL_DEFAULTS.maxConcurrentUnpacks,
  'max-concurrent-unpacks-per-image': SOCI_PARALLEL_DEFAULTS.maxConcurrentUnpacksPerImage,
};

/**
 * The SOCI settings of a Bottlerocket document (parsed with
 * `parseSettingsExactly`) checked like the bootstrap's own tuning: known keys
 * only, counts that are positive whole numbers (or -1 for the totals), a
 * per-image limit no higher than a bounded total, and a chunk size in
 * Bottlerocket's grammar that is a whole, safe number of bytes.
 */
export function bottlerocketSociProblems(document: Record<string, unknown>): BottlerocketSettingProblem[] {
  const plugin = tableAt(document, [...BOTTLEROCKET_SOCI_PLUGIN_PATH]);
  if (!plugin) return [];
  const problems: BottlerocketSettingProblem[] = [];
  for (const key of Object.keys(plugin).filter((k) => !PLUGIN_KEYS.includes(k))) {
    problems.push({ path: `${PLUGIN_PATH}.${key}`, value: plainValue(plugin[key]), allowed: `Bottlerocket knows only ${PLUGIN_KEYS.join(' and ')} here and refuses the whole user data for an unknown setting` });
  }
  if (plugin['pull-mode'] !== undefined && plugin['pull-mode'] !== 'parallel-pull-unpack') {
    problems.push({ path: `${PLUGIN_PATH}.pull-mode`, value: plainValue(plugin['pull-mode']), allowed: '"parallel-pull-unpack", the only pull mode Bottlerocket offers' });
  }
  const parallel = plugin['parallel-pull-unpack'];
  if (parallel === undefined) return problems;
  if (!isTable(parallel)) return [...problems, { path: PARALLEL_PATH, value: plainValue(parallel), allowed: 'a table of parallel pull/unpack settings' }];
  problems.push(...parallelProblems(parallel));
  return problems;
}

function parallelProblems(parallel: Record<string, unknown>): BottlerocketSettingProblem[] {
  const problems: BottlerocketSettingProblem[] = [];
  const add = (key: string, allowed: string) => problems.push({ path: `${PARALLEL_PATH}.${key}`, value: plainValue(parallel[key]), allowed });
  for (const key of Object.keys(parallel).filter((k) => !PARALLEL_KEYS.includes(k))) {
    add(key, `one of ${PARALLEL_KEYS.join(', ')}; Bottlerocket refuses the whole user data for an unknown setting`);
  }
  for (const key of TOTAL_KEYS) {
    if (parallel[key] !== undefined && countOf(parallel[key], true) === undefined) add(key, `a positive whole number, or ${UNBOUNDED} for no limit (a TOML integer); 0 or other values stall or break pulls`);
  }
  for (const key of PER_IMAGE_KEYS) {
    if (parallel[key] !== undefined && countOf(parallel[key], false) === undefined) add(key, 'a positive whole number (a TOML integer); Bottlerocket does not accept -1 for per-image limits, and 0 stalls pulls');
  }
  if (parallel[CHUNK_KEY] !== undefined && bottlerocketChunkBytes(parallel[CHUNK_KEY]) === undefined) {
    add(CHUNK_KEY, `${BOTTLEROCKET_CHUNK_GRAMMAR}; a whole number of bytes, at most ${Number.MAX_SAFE_INTEGER}`);
  }
  if (parallel[DISCARD_KEY] !== undefined && typeof parallel[DISCARD_KEY] !== 'boolean') add(DISCARD_KEY, 'true or false');
  if (problems.length === 0) problems.push(...orderProblems(parallel));
  return problems;
}

/** SOCI refuses a pull when a bounded total is below its per-image limit (checkParallelPullUnpack). */
function orderProblems(parallel: Record<string, unknown>): BottlerocketSettingProblem[] {
  const effective = (key: string) => (parallel[key] === undefined ? BOTTLEROCKET_DEFAULTS[key] : Number(parallel[key]));
  return TOTAL_KEYS.flatMap((total, i) => {
    const perImage = PER_IMAGE_KEYS[i];
    if (effective(total) <= 0 || effective(perImage) <= effective(total)) return [];
    const origin = parallel[perImage] === undefined ? ', Bottlerocket\'s default' : '';
    return [{
      path: `${PARALLEL_PATH}.${total}`,
      value: effective(total),
      allowed: `at least ${perImage} (${effective(perImage)}${origin}) or ${UNBOUNDED}; SOCI refuses pulls when the per-image limit exceeds the total`,
    }];
  });
}

/** A concurrency count as a number, or undefined when it is not a TOML integer in range. */
function countOf(value: unknown, unboundedAllowed: boolean): number | undefined {
  if (typeof value !== 'bigint') return undefined;
  const count = Number(value);
  if (!Number.isSafeInteger(count)) return undefined;
  return count >= 1 || (unboundedAllowed && count === UNBOUNDED) ? count : undefined;
}

export const BOTTLEROCKET_CHUNK_GRAMMAR = 'a TOML integer of bytes (16777216), "unlimited", or a string of digits with a unit b, kb, mb, gb, tb (decimal: "16mb" = 16,000,000 bytes) or kib, mib, gib, tib (binary: "16MiB" = 16,777,216 bytes), case-insensitive, without spaces';

const BOTTLEROCKET_SIZE = /^(\d+(?:\.\d*)?|\.\d+)(b|kb|mb|gb|tb|kib|mib|gib|tib)?$/i;
const BOTTLEROCKET_UNIT_BYTES: Record<string, bigint> = {
  '': 1n, 'b': 1n, 'kb': 1000n, 'mb': 1000n ** 2n, 'gb': 1000n ** 3n, 'tb': 1000n ** 4n,
  'kib': 1024n, 'mib': 1024n ** 2n, 'gib': 1024n ** 3n, 'tib': 1024n ** 4n,
};

/**
 * Bottlerocket's `concurrent-download-chunk-size` in bytes (0 for `"unlimited"`),
 * or undefined when Bottlerocket would refuse it or it is not a whole, safe
 * number of bytes. Bottlerocket reads units with the byte_unit crate, ignoring
 * case: `kb`/`mb` are decimal, `kib`/`mib` binary (settings-extensions/container-runtime-plugins src/de.rs).
 */
export function bottlerocketChunkBytes(value: unknown): number | undefined {
  if (value === 'unlimited') return 0;
  let bytes: bigint;
  if (typeof value === 'bigint') {
    bytes = value;
  } else if (typeof value === 'string') {
    const match = BOTTLEROCKET_SIZE.exec(value);
    if (!match) return undefined;
    const [whole, fraction = ''] = match[1].split('.');
    const scale = 10n ** BigInt(fraction.length);
    const scaled = BigInt(`${whole || '0'}${fraction}`) * BOTTLEROCKET_UNIT_BYTES[(match[2] ?? '').toLowerCase()];
    if (scaled % scale !== 0n) return undefined;
    bytes = scaled / scale;
  } else {
    return undefined;
  }
  return bytes >= 0n && bytes <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(bytes) : undefined;
}

function tableAt(document: Record<string, unknown>, path: readonly string[]): Record<string, unknown> | undefined {
  let here: unknown = document;
  for (const key of path) {
    if (!isTable(here)) return undefined;
    here = here[key];
  }
  return isTable(here) ? here : undefined;
}
