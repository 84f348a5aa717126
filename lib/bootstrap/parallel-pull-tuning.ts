import { ConfigError } from '../errors';
import { ChunkSize } from './chunk-size';
import { isValidConcurrency, UNBOUNDED } from './soci-facts';

/**
 * An external decompressor SOCI runs, without a shell, to unpack layers
 * (`[pull_modes.parallel_pull_unpack.decompress_streams.<algorithm>]`).
 */
export interface DecompressStream {
  /** Absolute path of an executable; SOCI refuses to start if it is missing or not executable. */
  readonly path: string;
  /**
   * Arguments; the compressed stream arrives on stdin and the tar must leave on stdout.
   * @default - none
   */
  readonly args?: string[];
}

/** Decompressors by layer compression. */
export interface DecompressStreams {
  /**
   * Decompressor for gzip layers, for example `{ path: '/usr/bin/unpigz', args: ['-d', '-c'] }`.
   * @default - the strategy's default (nodeadm: unpigz; otherwise containerd's built-in Go library)
   */
  readonly gzip?: DecompressStream;
  /**
   * Decompressor for zstd layers.
   * @default - containerd's built-in Go library
   */
  readonly zstd?: DecompressStream;
}

/**
 * SOCI parallel pull/unpack tuning (`[pull_modes.parallel_pull_unpack]`).
 * Every limit is a positive count or {@link UNBOUNDED} (`-1`).
 * An unset option keeps the strategy's default, listed on each strategy.
 */
export interface ParallelPullTuning {
  /**
   * Layer downloads in flight across all images (count).
   * @default - strategy default: -1 (unbounded) everywhere
   */
  readonly maxConcurrentDownloads?: number;
  /**
   * Ranged downloads in flight per image (count). Must not exceed `maxConcurrentDownloads`
   * when that is bounded, or SOCI refuses the pull.
   * @default - strategy default: 20 (AL2023 native), 3 (manual install, Bottlerocket)
   */
  readonly maxConcurrentDownloadsPerImage?: number;
  /**
   * Size of each ranged GET.
   * @default - strategy default: 16 MiB (AL2023 native), whole layer (manual install, Bottlerocket)
   */
  readonly concurrentDownloadChunkSize?: ChunkSize;
  /**
   * Layer unpacks in flight across all images (count).
   * @default - strategy default: -1 (unbounded) everywhere
   */
  readonly maxConcurrentUnpacks?: number;
  /**
   * Layer unpacks in flight per image (count). Must not exceed `maxConcurrentUnpacks` when that is bounded.
   * @default - strategy default: 12 (AL2023 native), 1 (manual install, Bottlerocket)
   */
  readonly maxConcurrentUnpacksPerImage?: number;
  /**
   * Drop compressed layer blobs from the content store once unpacked, saving disk
   * but forcing a re-download to push or re-unpack. containerd's CRI option is kept equal.
   * @default - strategy default: true (AL2023 native), false (manual install, Bottlerocket)
   */
  readonly discardUnpackedLayers?: boolean;
  /**
   * External decompressors. Not configurable on Bottlerocket.
   * @default - strategy default: unpigz for gzip (AL2023 native), containerd's Go library otherwise
   */
  readonly decompressStreams?: DecompressStreams;
}

/** The four concurrency limits, for loops and messages. */
export const CONCURRENCY_OPTIONS = [
  'maxConcurrentDownloads',
  'maxConcurrentDownloadsPerImage',
  'maxConcurrentUnpacks',
  'maxConcurrentUnpacksPerImage',
] as const;
type ConcurrencyOption = (typeof CONCURRENCY_OPTIONS)[number];

const TUNING_OPTIONS: readonly (keyof ParallelPullTuning)[] = [
  ...CONCURRENCY_OPTIONS,
  'concurrentDownloadChunkSize',
  'discardUnpackedLayers',
  'decompressStreams',
];

/** An absolute path SOCI can exec directly; no spaces or shell metacharacters, which SOCI would not interpret anyway. */
const EXECUTABLE_PATH = /^\/[A-Za-z0-9._+/-]+$/;

/**
 * Checks every tuning option on its own (types, ranges, paths). Cross-option
 * rules that depend on the strategy's defaults are in {@link checkConcurrencyOrder}.
 *
 * @param where the builder, for messages (`SociBootstrap.native`)
 */
export function validateTuning(where: string, tuning: ParallelPullTuning | undefined): ParallelPullTuning {
  if (tuning === undefined) return {};
  if (typeof tuning !== 'object' || tuning === null) {
    throw new ConfigError(where, 'tuning', tuning, 'an object of ParallelPullTuning options');
  }
  for (const key of Object.keys(tuning)) {
    if (!(TUNING_OPTIONS as string[]).includes(key)) {
      throw new ConfigError(where, `tuning.${key}`, (tuning as Record<string, unknown>)[key], `not a tuning option; use one of ${TUNING_OPTIONS.join(', ')}`);
    }
  }
  for (const option of CONCURRENCY_OPTIONS) {
    const value = tuning[option];
    if (value !== undefined && (typeof value !== 'number' || !isValidConcurrency(value))) {
      throw new ConfigError(where, `tuning.${option}`, value, `a positive whole number, or UNBOUNDED (${UNBOUNDED}) for no limit`);
    }
  }
  if (tuning.concurrentDownloadChunkSize !== undefined && !(tuning.concurrentDownloadChunkSize instanceof ChunkSize)) {
    throw new ConfigError(where, 'tuning.concurrentDownloadChunkSize', tuning.concurrentDownloadChunkSize, 'a ChunkSize, such as ChunkSize.mebibytes(16), ChunkSize.of("16mb") or ChunkSize.wholeLayer()');
  }
  if (tuning.discardUnpackedLayers !== undefined && typeof tuning.discardUnpackedLayers !== 'boolean') {
    throw new ConfigError(where, 'tuning.discardUnpackedLayers', tuning.discardUnpackedLayers, 'true or false');
  }
  validateDecompressStreams(where, tuning.decompressStreams);
  return tuning;
}

function validateDecompressStreams(where: string, streams: DecompressStreams | undefined): void {
  if (streams === undefined) return;
  for (const [algorithm, stream] of Object.entries(streams) as [string, DecompressStream | undefined][]) {
    const field = `tuning.decompressStreams.${algorithm}`;
    if (algorithm !== 'gzip' && algorithm !== 'zstd') {
      throw new ConfigError(where, field, stream, 'SOCI recognises only "gzip" and "zstd" decompressors');
    }
    if (stream === undefined) continue;
    if (typeof stream.path !== 'string' || !EXECUTABLE_PATH.test(stream.path) || stream.path.split('/').includes('..')) {
      throw new ConfigError(where, `${field}.path`, stream.path, 'an absolute path to an executable, such as "/usr/bin/unpigz" (SOCI runs it without a shell and refuses to start if it is missing)');
    }
    for (const arg of stream.args ?? []) {
      if (typeof arg !== 'string' || /[\0\n\r]/.test(arg)) {
        throw new ConfigError(where, `${field}.args`, arg, 'strings without NUL or line breaks');
      }
    }
  }
}

/** The concurrency limits SOCI will run with: explicit tuning over the strategy's defaults. */
export type EffectiveConcurrency = Record<ConcurrencyOption, number>;

/**
 * SOCI rejects a pull when a bounded total is below its per-image limit
 * (`checkParallelPullUnpack`, fs/adaptive_fetch_image_layers.go), so refuse
 * such a combination at synth, naming the default when it came from one.
 */
export function checkConcurrencyOrder(where: string, tuning: ParallelPullTuning, effective: EffectiveConcurrency, defaultsName: string): void {
  const pairs: [ConcurrencyOption, ConcurrencyOption][] = [
    ['maxConcurrentDownloads', 'maxConcurrentDownloadsPerImage'],
    ['maxConcurrentUnpacks', 'maxConcurrentUnpacksPerImage'],
  ];
  for (const [total, perImage] of pairs) {
    if (effective[total] > 0 && effective[perImage] > effective[total]) {
      const origin = tuning[perImage] === undefined ? `, the ${defaultsName} default` : '';
      throw new ConfigError(
        where,
        `tuning.${total}`,
        effective[total],
        `must be at least ${perImage} (${effective[perImage]}${origin}) or UNBOUNDED (${UNBOUNDED}); SOCI refuses pulls when the per-image limit exceeds the total`,
      );
    }
  }
}

/** True when the user set any tuning option. */
export function hasTuning(tuning: ParallelPullTuning): boolean {
  return Object.values(tuning).some((value) => value !== undefined);
}

/** A scalar tuning value as written into a config file. */
export type TuningValue = string | number | boolean;

/**
 * The options the user set, as `[SOCI config.toml key, value]` pairs in SOCI's
 * key order; `renderChunk` writes the chunk size in the target's units. SOCI
 * and Bottlerocket name the same settings (Bottlerocket in kebab-case), so both
 * renderers share this one mapping. `decompressStreams` is a table, not a
 * scalar, and is left to the renderers that support it.
 */
export function tuningEntries(tuning: ParallelPullTuning, renderChunk: (chunk: ChunkSize) => TuningValue): Array<[string, TuningValue]> {
  const entries: Array<[string, TuningValue | undefined]> = [
    ['max_concurrent_downloads', tuning.maxConcurrentDownloads],
    ['max_concurrent_downloads_per_image', tuning.maxConcurrentDownloadsPerImage],
    ['concurrent_download_chunk_size', tuning.concurrentDownloadChunkSize && renderChunk(tuning.concurrentDownloadChunkSize)],
    ['max_concurrent_unpacks', tuning.maxConcurrentUnpacks],
    ['max_concurrent_unpacks_per_image', tuning.maxConcurrentUnpacksPerImage],
    ['discard_unpacked_layers', tuning.discardUnpackedLayers],
  ];
  return entries.filter((entry): entry is [string, TuningValue] => entry[1] !== undefined);
}
