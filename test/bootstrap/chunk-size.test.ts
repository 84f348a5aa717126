import * as fc from 'fast-check';
import { ChunkSize, parseSociChunkSize } from '../../lib/bootstrap';
import { ConfigError } from '../../lib/errors';
import { inspectWithPython } from '../support/python';

describe('ChunkSize', () => {
  test('mebibytes(16) is "16mb" for SOCI and 16777216 bytes for Bottlerocket', () => {
    // GIVEN
    const size = ChunkSize.mebibytes(16);
    // THEN
    expect(size.bytes).toBe(16 * 1024 * 1024);
    expect(size.toSociString()).toBe('16mb');
    expect(size.toBottlerocketValue()).toBe(16777216);
  });

  test.each([
    ['16mb', 16777216, '16mb'],
    ['8MB', 8388608, '8mb'],
    ['1.5mb', 1572864, '1536kb'],
    ['1gb', 1073741824, '1gb'],
    ['512kb', 524288, '512kb'],
    ['100', 100, '100b'],
    ['0', 0, ''],
    ['', 0, ''],
  ])('of(%j) holds %d bytes and renders %j for SOCI', (text, bytes, soci) => {
    const size = ChunkSize.of(text);
    expect(size.bytes).toBe(bytes);
    expect(size.toSociString()).toBe(soci);
  });

  test('the whole layer is "" for SOCI and "unlimited" for Bottlerocket', () => {
    expect(ChunkSize.wholeLayer().toSociString()).toBe('');
    expect(ChunkSize.wholeLayer().toBottlerocketValue()).toBe('unlimited');
    expect(ChunkSize.bytes(0).isWholeLayer).toBe(true);
  });

  test.each([
    ['16MiB', '16mb'],
    ['16 MB/s', undefined],
    ['16m', '16mb'],
    ['2GiB', '2gb'],
    ['-1', undefined],
    ['unlimited', undefined],
  ])('of(%j) is a ConfigError naming ChunkSize.of and the value', (text, suggestion) => {
    // WHEN
    const attempt = () => ChunkSize.of(text);
    // THEN
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(`ChunkSize.of: size ${JSON.stringify(text)} is invalid`);
    if (suggestion) expect(attempt).toThrow(`did you mean "${suggestion}"?`);
  });

  test.each([
    ['9007199254740993b', 'one byte above 2^53, which floating point would read as 2^53'],
    ['99999999999999999999gb', 'far beyond 2^53 bytes'],
    ['9007199254740992', 'exactly 2^53 bytes, one above the largest safe integer'],
    ['0.1b', 'a tenth of a byte, which SOCI would round to the whole layer'],
    ['1.0000001kb', 'not a whole number of bytes'],
  ])('GIVEN %j (%s) WHEN passed to of() THEN it is refused like ChunkSize.bytes, not altered', (text) => {
    // WHEN
    const attempt = () => ChunkSize.of(text);
    // THEN
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(`ChunkSize.of: size ${JSON.stringify(text)} is invalid: a size that comes to a whole number of bytes, at most 9007199254740991`);
  });

  test.each([
    ['9007199254740991b', 9007199254740991],
    ['0.5kb', 512],
    ['1.25 MB', 1310720],
    [' 8mb ', 8388608],
  ])('GIVEN %j WHEN passed to of() THEN it holds exactly %d bytes', (text, bytes) => {
    expect(ChunkSize.of(text).bytes).toBe(bytes);
  });

  test('property: of() and bytes() agree on every whole size, and of() refuses what bytes() refuses', () => {
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: 2n ** 60n }), (n) => {
      const viaOf = attemptSize(() => ChunkSize.of(`${n}b`));
      const viaBytes = attemptSize(() => ChunkSize.bytes(Number(n)));
      if (n > BigInt(Number.MAX_SAFE_INTEGER)) expect(viaOf).toBe('refused');
      else expect(viaOf).toBe(viaBytes);
    }));
  });

  test('"unlimited" points at ChunkSize.wholeLayer()', () => {
    expect(() => ChunkSize.of('unlimited')).toThrow('ChunkSize.wholeLayer()');
  });

  test.each([
    ['mebibytes', () => ChunkSize.mebibytes(-1), 'ChunkSize.mebibytes: size -1 is invalid'],
    ['bytes', () => ChunkSize.bytes(1.5), 'ChunkSize.bytes: size 1.5 is invalid'],
    ['kibibytes', () => ChunkSize.kibibytes(Number.NaN), 'ChunkSize.kibibytes: size'],
    ['gibibytes', () => ChunkSize.gibibytes(2 ** 40), 'ChunkSize.gibibytes: size'],
  ])('%s rejects sizes that are not a whole, non-negative, safe number of bytes', (_, attempt, message) => {
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(message);
  });

  test('property: SOCI reads back the bytes it was given, for any size', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 40 }), (bytes) => {
      expect(parseSociChunkSize(ChunkSize.bytes(bytes).toSociString())).toBe(bytes);
    }));
  });

  test('property: SOCI\'s and Bottlerocket\'s renderings mean the same number of bytes', () => {
    // GIVEN sizes in whole MiB, the units people use
    const sizes = fc.sample(fc.integer({ min: 1, max: 4096 }), { numRuns: 50, seed: 7 }).map((mib) => ChunkSize.mebibytes(mib));
    // WHEN Bottlerocket's integer is parsed by a TOML parser and SOCI's string by SOCI's grammar
    const doc = sizes.map((s, i) => `c${i} = ${JSON.stringify(s.toBottlerocketValue())}`).join('\n');
    const [parsed] = inspectWithPython({ toml: [doc] }).toml;
    // THEN both equal the byte count
    expect(parsed.ok).toBe(true);
    sizes.forEach((s, i) => {
      expect((parsed as any).value[`c${i}`]).toBe(s.bytes);
      expect(parseSociChunkSize(s.toSociString())).toBe(s.bytes);
    });
  });
});

function attemptSize(make: () => ChunkSize): number | 'refused' {
  try {
    return make().bytes;
  } catch (error) {
    if (error instanceof ConfigError) return 'refused';
    throw error;
  }
}
