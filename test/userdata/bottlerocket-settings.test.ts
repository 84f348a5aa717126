/**
 * Bottlerocket user settings: Karpenter v1.14.1 decodes [settings.kubernetes]
 * into typed Go fields (a wrong TOML type rejects the whole user data, an
 * unknown key is dropped), and SOCI keys in the user's settings are checked
 * like the bootstrap's own tuning, with Bottlerocket's size units.
 */
import { Testing } from 'cdk8s';
import { ChunkSize, SociBootstrap } from '../../lib/bootstrap';
import { bottlerocketChunkBytes } from '../../lib/bootstrap/bottlerocket-settings';
import { KARPENTER_BOTTLEROCKET_KUBERNETES } from '../../lib/bootstrap/karpenter-bottlerocket-settings';
import { AmiSelector, Ec2NodeClass } from '../../lib/constructs';
import { ConfigError } from '../../lib/errors';
import { bottlerocketSociSettings } from '../fixtures/upstream';
import { inspectWithPython } from '../support/python';

const render = (settings: string, bootstrap = SociBootstrap.bottlerocket()) => bootstrap.renderUserData({ bottlerocketSettings: settings });

function renderError(settings: string, bootstrap = SociBootstrap.bottlerocket()): ConfigError {
  try {
    render(settings, bootstrap);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('Karpenter v1.14.1 settings.kubernetes types', () => {
  test('GIVEN image-gc-high-threshold-percent = 85 on an EC2NodeClass WHEN built THEN the ConfigError names the construct path, the key path, the value and the expected type', () => {
    // GIVEN
    const props = {
      role: 'NodeRole',
      discoveryTag: 'test',
      amiSelectorTerms: AmiSelector.alias('bottlerocket@v1.50.0'),
      bootstrap: SociBootstrap.bottlerocket(),
      bottlerocketSettings: '[settings.kubernetes]\nimage-gc-high-threshold-percent = 85\n',
    };
    // WHEN
    let error: unknown;
    try {
      new Ec2NodeClass(Testing.chart(), 'Bottlerocket', props);
    } catch (e) {
      error = e;
    }
    // THEN
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain('test/Bottlerocket: bottlerocketSettings settings.kubernetes.image-gc-high-threshold-percent 85 is invalid: a TOML string (quoted, such as "85"); Karpenter v1.14.1 decodes');
    expect((error as ConfigError).message).toContain('rejects the whole user data');
  });

  test.each([
    ['a string for an int field', '[settings.kubernetes]\nmax-pods = "110"\n', 'settings.kubernetes.max-pods "110"', 'a TOML integer'],
    ['a float for an int field', '[settings.kubernetes]\nregistry-qps = 2.5\n', 'settings.kubernetes.registry-qps 2.5', 'a TOML integer'],
    ['a negative log-level (uint32)', '[settings.kubernetes]\nlog-level = -1\n', 'settings.kubernetes.log-level -1', 'a TOML integer from 0 to 4294967295'],
    ['a string for a bool field', '[settings.kubernetes]\nseccomp-default = "true"\n', 'settings.kubernetes.seccomp-default "true"', 'true or false'],
    ['a taint that is not a list', '[settings.kubernetes.node-taints]\ndedicated = "gpu:NoSchedule"\n', 'settings.kubernetes.node-taints.dedicated "gpu:NoSchedule"', 'an array of TOML strings'],
    ['a number in a string map', '[settings.kubernetes.eviction-hard]\n"memory.available" = 5\n', 'settings.kubernetes.eviction-hard."memory.available" 5', 'a TOML string'],
    ['a credential provider with a string flag', '[settings.kubernetes.credential-providers.ecr-credential-provider]\nenabled = "yes"\n', 'settings.kubernetes.credential-providers.ecr-credential-provider.enabled "yes"', 'true or false'],
    ['a bootstrap command mode that is a number', '[settings.bootstrap-commands.setup]\ncommands = [["echo", "hi"]]\nmode = 1\nessential = false\n', 'settings.bootstrap-commands.setup.mode 1', 'a TOML string'],
    ['bootstrap command words that are not strings', '[settings.bootstrap-commands.setup]\ncommands = [["sleep", 1]]\nmode = "once"\nessential = false\n', 'settings.bootstrap-commands.setup.commands[0][1] 1', 'a TOML string'],
  ])('GIVEN %s WHEN rendered THEN it is refused, as Karpenter would reject it', (_name, settings, field, expected) => {
    const error = renderError(settings);
    expect(error.message).toContain(`SociBootstrap.bottlerocket: bottlerocketSettings ${field} is invalid: ${expected}`);
  });

  test.each([
    ['an unknown kubernetes key', '[settings.kubernetes]\nimage-gc-high-threshold = "85"\n', 'settings.kubernetes.image-gc-high-threshold'],
    ['an unknown static-pod key', '[settings.kubernetes.static-pods.web]\nenabled = true\nmanifest-url = "x"\n', 'settings.kubernetes.static-pods.web.manifest-url'],
  ])('GIVEN %s WHEN rendered THEN it is refused, as Karpenter would drop it', (_name, settings, path) => {
    const error = renderError(settings);
    expect(error.field).toBe(`bottlerocketSettings ${path}`);
    expect(error.message).toContain('silently drops any other key');
  });

  test('GIVEN a value of the right type for every key Karpenter knows WHEN rendered THEN it is accepted and tomllib reads it back', () => {
    // GIVEN one value per key, of the TOML type its Go field takes
    const sample = { string: '"x"', integer: '3', boolean: 'true', array: '["a"]', map: '{}', struct: '{}', 'unchecked-table': '{}' } as const;
    const lines = Object.entries(KARPENTER_BOTTLEROCKET_KUBERNETES).map(([key, shape]) => `${key} = ${sample[shape.kind]}`);
    // WHEN
    const text = render(`[settings.kubernetes]\n${lines.join('\n')}\n`)!;
    // THEN
    const [parsed] = inspectWithPython({ toml: [text] }).toml;
    expect(parsed.ok).toBe(true);
    expect(Object.keys((parsed as any).value.settings.kubernetes)).toHaveLength(lines.length);
  });

  test('GIVEN tables Karpenter passes through (host containers, kernel sysctl) WHEN rendered THEN any value is kept', () => {
    expect(render('[settings.kernel.sysctl]\n"vm.max_map_count" = "262144"\n[settings.host-containers.admin]\nenabled = false\n')).toContain('"vm.max_map_count" = "262144"');
  });
});

describe('SOCI keys in the user\'s Bottlerocket settings are checked like the bootstrap\'s tuning', () => {
  const parallel = (body: string) => `[settings.container-runtime-plugins.soci-snapshotter.parallel-pull-unpack]\n${body}\n`;
  const PARALLEL = 'settings.container-runtime-plugins.soci-snapshotter.parallel-pull-unpack';

  test.each([
    ['a per-image limit of 0', 'max-concurrent-downloads-per-image = 0', 'max-concurrent-downloads-per-image 0', 'a positive whole number'],
    ['-1 for a per-image limit', 'max-concurrent-unpacks-per-image = -1', 'max-concurrent-unpacks-per-image -1', 'does not accept -1 for per-image limits'],
    ['a total of 0', 'max-concurrent-downloads = 0', 'max-concurrent-downloads 0', 'or -1 for no limit'],
    ['a count as a string', 'max-concurrent-unpacks = "4"', 'max-concurrent-unpacks "4"', 'a TOML integer'],
    ['a chunk size with a space', 'concurrent-download-chunk-size = "16 MiB"', 'concurrent-download-chunk-size "16 MiB"', 'without spaces'],
    ['a chunk size in SOCI\'s "16m" spelling', 'concurrent-download-chunk-size = "16m"', 'concurrent-download-chunk-size "16m"', 'kib, mib, gib, tib'],
    ['a fraction of a byte', 'concurrent-download-chunk-size = "0.1b"', 'concurrent-download-chunk-size "0.1b"', 'a whole number of bytes'],
    ['a size past 2^53 bytes', 'concurrent-download-chunk-size = "99999999999999999999gb"', 'concurrent-download-chunk-size "99999999999999999999gb"', `at most ${Number.MAX_SAFE_INTEGER}`],
    ['a negative byte count', 'concurrent-download-chunk-size = -1', 'concurrent-download-chunk-size -1', 'a TOML integer of bytes'],
    ['discard as a string', 'discard-unpacked-layers = "true"', 'discard-unpacked-layers "true"', 'true or false'],
    ['an unknown key', 'max-concurrent-download = 4', 'max-concurrent-download 4', 'Bottlerocket refuses the whole user data'],
    ['a total below Bottlerocket\'s per-image default of 3', 'max-concurrent-downloads = 2', 'max-concurrent-downloads 2', 'at least max-concurrent-downloads-per-image (3, Bottlerocket\'s default)'],
  ])('GIVEN %s WHEN rendered THEN a ConfigError names the key', (_name, body, field, allowed) => {
    const error = renderError(parallel(body));
    expect(error.message).toContain(`bottlerocketSettings ${PARALLEL}.${field} is invalid:`);
    expect(error.message).toContain(allowed);
  });

  test('GIVEN settings on an AMI-default bootstrap (SOCI turned on by the user alone) WHEN a per-image limit is 0 THEN it is refused too', () => {
    const settings = `[settings.container-runtime]\nsnapshotter = "soci"\n${parallel('max-concurrent-unpacks-per-image = 0')}`;
    expect(renderError(settings, SociBootstrap.amiDefault()).where).toBe('SociBootstrap.amiDefault');
  });

  test('GIVEN the user\'s per-image limit above the bootstrap\'s total WHEN rendered THEN the merged settings are refused', () => {
    const bootstrap = SociBootstrap.bottlerocket({ tuning: { maxConcurrentDownloads: 4, maxConcurrentDownloadsPerImage: 4 } });
    // The user sets only the unpack side; the merged document is what is checked.
    expect(() => render(parallel('max-concurrent-unpacks = 2\nmax-concurrent-unpacks-per-image = 2'), bootstrap)).not.toThrow();
    expect(renderError(parallel('max-concurrent-unpacks = 1\nmax-concurrent-unpacks-per-image = 2'), bootstrap).field).toBe(`bottlerocketSettings ${PARALLEL}.max-concurrent-unpacks`);
  });

  test.each([
    ['"16MiB"', 16 * 1024 ** 2],
    ['"16mb"', 16_000_000],
    ['"unlimited"', 0],
    ['16777216', 16777216],
    ['".5gb"', 500_000_000],
  ])('GIVEN chunk size %s WHEN rendered THEN it is accepted (Bottlerocket reads it as %d bytes)', (value, bytes) => {
    expect(() => render(parallel(`concurrent-download-chunk-size = ${value}`))).not.toThrow();
    const parsed = value.startsWith('"') ? JSON.parse(value) : BigInt(value);
    expect(bottlerocketChunkBytes(parsed)).toBe(bytes);
  });

  test('Bottlerocket\'s "16MiB" is the bootstrap\'s ChunkSize.mebibytes(16), and "16mb" is not', () => {
    expect(bottlerocketChunkBytes('16MiB')).toBe(ChunkSize.mebibytes(16).bytes);
    expect(bottlerocketChunkBytes('16mb')).not.toBe(ChunkSize.of('16mb').bytes);
  });

  test('GIVEN valid SOCI settings within Bottlerocket\'s and SOCI\'s rules WHEN rendered THEN they are kept', () => {
    const text = render(parallel('max-concurrent-downloads = 12\nmax-concurrent-downloads-per-image = 6\nconcurrent-download-chunk-size = "16MiB"\nmax-concurrent-unpacks = -1\ndiscard-unpacked-layers = true'))!;
    expect(text).toContain('concurrent-download-chunk-size = "16MiB"');
  });

  test.each([
    ['an unknown plugin key', '[settings.container-runtime-plugins.soci-snapshotter]\npull-modes = "x"\n', 'settings.container-runtime-plugins.soci-snapshotter.pull-modes'],
  ])('GIVEN %s WHEN rendered THEN it is refused', (_name, settings, path) => {
    expect(renderError(settings, SociBootstrap.amiDefault()).field).toBe(`bottlerocketSettings ${path}`);
  });

  test('GIVEN another pull mode on an AMI-default bootstrap WHEN rendered THEN it is refused', () => {
    const error = renderError('[settings.container-runtime-plugins.soci-snapshotter]\npull-mode = "soci-v2"\n', SociBootstrap.amiDefault());
    expect(error.message).toContain('"parallel-pull-unpack", the only pull mode Bottlerocket offers');
  });

  test('GIVEN Bottlerocket\'s documented example, every key of its settings model WHEN rendered on an AMI-default bootstrap THEN it is accepted as written', () => {
    // GIVEN the example from Bottlerocket's settings documentation (upstream fixture)
    const reference = bottlerocketSociSettings();
    const tables = new Map<string, string[]>();
    for (const [path, value] of Object.entries(reference.docExample.toml as Record<string, unknown>)) {
      const dot = path.lastIndexOf('.');
      tables.set(path.slice(0, dot), [...(tables.get(path.slice(0, dot)) ?? []), `${path.slice(dot + 1)} = ${JSON.stringify(value)}`]);
    }
    expect(tables.get(PARALLEL)).toHaveLength(Object.keys(reference.tables[PARALLEL].keys).length);
    const text = [...tables].map(([table, lines]) => `[${table}]\n${lines.join('\n')}\n`).join('\n');
    // WHEN / THEN
    expect(() => render(text, SociBootstrap.amiDefault())).not.toThrow();
  });
});
