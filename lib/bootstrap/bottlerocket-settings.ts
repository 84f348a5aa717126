import { ConfigError, describeValue } from '../errors';
import { isTomlTable, mergeTomlTables, parseUserToml, renderToml, TomlTable } from '../userdata/toml';
import { checkConcurrencyOrder, ParallelPullTuning, tuningEntries } from './parallel-pull-tuning';
import { SOCI_PARALLEL_DEFAULTS } from './soci-config';

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
  return renderToml(merged);
}
