import { ConfigError } from '../errors';
import { parseSociChunkSize } from './soci-facts';

const KIB = 1024;
const MIB = 1024 ** 2;
const GIB = 1024 ** 3;

/**
 * The size of each ranged GET SOCI issues when it downloads a layer
 * (`concurrent_download_chunk_size`), held as a byte count.
 *
 * SOCI and Bottlerocket spell sizes differently: SOCI's `"16mb"` is
 * 16 × 1024² bytes, Bottlerocket's `"16mb"` is 16,000,000 bytes. Holding bytes
 * and rendering each dialect from them keeps the two meaning the same size.
 */
export class ChunkSize {
  /** Each layer is downloaded in a single request (SOCI `""`, Bottlerocket `"unlimited"`). */
  public static wholeLayer(): ChunkSize {
    return new ChunkSize(0);
  }

  /** A size in bytes; 0 means the whole layer. */
  public static bytes(bytes: number): ChunkSize {
    return ChunkSize.checked('ChunkSize.bytes', bytes, 1);
  }

  /** A size in kibibytes (1 KiB = 1024 bytes). */
  public static kibibytes(kibibytes: number): ChunkSize {
    return ChunkSize.checked('ChunkSize.kibibytes', kibibytes, KIB);
  }

  /** A size in mebibytes (1 MiB = 1024² bytes); SOCI's documented ECR advice is 8 or 16. */
  public static mebibytes(mebibytes: number): ChunkSize {
    return ChunkSize.checked('ChunkSize.mebibytes', mebibytes, MIB);
  }

  /** A size in gibibytes (1 GiB = 1024³ bytes). */
  public static gibibytes(gibibytes: number): ChunkSize {
    return ChunkSize.checked('ChunkSize.gibibytes', gibibytes, GIB);
  }

  /**
   * A size written in SOCI's own grammar: a number with an optional unit `b`,
   * `kb`, `mb` or `gb`, which SOCI reads as binary (`"16mb"` = 16 MiB).
   * `"0"` and `""` mean the whole layer. Like {@link ChunkSize.bytes}, the
   * size must come to a whole, safe number of bytes: `"1.5mb"` is 1,572,864
   * bytes, while `"0.1b"` and sizes beyond 2^53 bytes are refused, not rounded.
   */
  public static of(text: string): ChunkSize {
    if (typeof text !== 'string' || parseSociChunkSize(text) === undefined) {
      throw new ConfigError('ChunkSize.of', 'size', text, `use SOCI's size grammar: a number with an optional unit b, kb, mb or gb, which SOCI reads as binary (1mb = 1024 KiB)${suggestion(text)}`);
    }
    const bytes = exactBytes(text);
    if (bytes === undefined) {
      throw new ConfigError('ChunkSize.of', 'size', text, `a size that comes to a whole number of bytes, at most ${Number.MAX_SAFE_INTEGER} (SOCI would round it to another size)`);
    }
    return new ChunkSize(bytes);
  }

  private static checked(where: string, amount: number, unitBytes: number): ChunkSize {
    const bytes = amount * unitBytes;
    if (!Number.isFinite(amount) || amount < 0 || !Number.isSafeInteger(bytes)) {
      throw new ConfigError(where, 'size', amount, 'a non-negative number giving a whole number of bytes');
    }
    return new ChunkSize(bytes);
  }

  private constructor(
    /** The chunk size in bytes; 0 means the whole layer in one request. */
    public readonly bytes: number,
  ) {}

  /** True when each layer is fetched in one request. */
  public get isWholeLayer(): boolean {
    return this.bytes === 0;
  }

  /**
   * The value for SOCI's `concurrent_download_chunk_size`: the largest binary
   * unit that divides the size exactly (`"16mb"`, `"1536kb"`, `"100b"`), or
   * `""` for the whole layer.
   */
  public toSociString(): string {
    if (this.isWholeLayer) return '';
    for (const [unit, size] of [['gb', GIB], ['mb', MIB], ['kb', KIB]] as const) {
      if (this.bytes % size === 0) return `${this.bytes / size}${unit}`;
    }
    return `${this.bytes}b`;
  }

  /**
   * The value for Bottlerocket's `concurrent-download-chunk-size`: integer bytes
   * (Bottlerocket reads unit strings as decimal), or `"unlimited"` for the whole layer.
   */
  public toBottlerocketValue(): number | 'unlimited' {
    return this.isWholeLayer ? 'unlimited' : this.bytes;
  }

  /** A human-readable form for messages, such as `16mb (16777216 bytes)`. */
  public toString(): string {
    return this.isWholeLayer ? 'whole layer' : `${this.toSociString()} (${this.bytes} bytes)`;
  }
}

const UNIT_BYTES: Record<string, bigint> = { '': 1n, 'b': 1n, 'kb': 1024n, 'mb': 1024n ** 2n, 'gb': 1024n ** 3n };

/**
 * The byte count of a size SOCI's grammar accepts, computed without floating
 * point; undefined when it is not a whole number of bytes or exceeds 2^53 − 1.
 */
function exactBytes(text: string): number | undefined {
  if (text === '') return 0;
  const [, whole, fraction = '', unit] = /^(\d+)(?:\.(\d+))?\s*([a-z]*)$/.exec(text.trim().toLowerCase())!;
  const scaled = BigInt(whole + fraction) * UNIT_BYTES[unit];
  const divisor = 10n ** BigInt(fraction.length);
  if (scaled % divisor !== 0n) return undefined;
  const bytes = scaled / divisor;
  return bytes <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(bytes) : undefined;
}

/** Turns common near-misses (`16MiB`, `16 MB`, `16m`) into the SOCI spelling. */
function suggestion(text: unknown): string {
  if (typeof text !== 'string') return '';
  const match = /^\s*(\d+(?:\.\d+)?)\s*([kmg])(?:i?b)?\s*$/i.exec(text);
  if (match) return `; did you mean "${match[1]}${match[2].toLowerCase()}b"?`;
  if (/^\s*unlimited\s*$/i.test(text)) return '; for the whole layer use ChunkSize.wholeLayer()';
  return '';
}
