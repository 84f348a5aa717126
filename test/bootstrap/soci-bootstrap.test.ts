import { NodePoolSpecTemplateSpecRequirementsOperator } from '../../imports/karpenter.sh';
import { AmiAliasFamily, ChunkSize, ContainerdConfigVersion, ParallelPullTuning, SociBootstrap, UNBOUNDED } from '../../lib/bootstrap';
import { RenderedBootstrap } from '../../lib/bootstrap/rendered-bootstrap';
import { NODEADM_SOCI_CONFIG } from '../../lib/bootstrap/soci-config';
import { ConfigError } from '../../lib/errors';
import { UserDataPart } from '../../lib/userdata';
import { nodeadmSociSnapshotterConfig } from '../fixtures/upstream';

describe('SociBootstrap.native', () => {
  test('works on AL2023 only and keeps nodes below 4 vCPU / 7 GiB out with Gt requirements', () => {
    // WHEN
    const bootstrap = SociBootstrap.native();
    // THEN
    expect(bootstrap.name).toBe('SociBootstrap.native');
    expect(bootstrap.amiFamilies).toEqual([AmiAliasFamily.AL2023]);
    expect(bootstrap.nodeRequirements).toEqual([
      { key: 'karpenter.k8s.aws/instance-cpu', operator: NodePoolSpecTemplateSpecRequirementsOperator.GT, values: ['3'] },
      { key: 'karpenter.k8s.aws/instance-memory', operator: NodePoolSpecTemplateSpecRequirementsOperator.GT, values: ['7167'] },
    ]);
  });

  test('without tuning there is no shell part; with any tuning option there is one', () => {
    expect((SociBootstrap.native() as RenderedBootstrap).parts.map((p) => p.contentType)).toEqual(['application/node.eks.aws']);
    const tuned = SociBootstrap.native({ tuning: { discardUnpackedLayers: true } }) as RenderedBootstrap;
    expect(tuned.parts.map((p) => p.contentType)).toEqual(['application/node.eks.aws', 'text/x-shellscript; charset="us-ascii"']);
  });

  test('keepSociDataOnEbs: false adds no localStorage section', () => {
    const [part] = (SociBootstrap.native({ keepSociDataOnEbs: false }) as RenderedBootstrap).parts;
    expect(part.nodeConfigSpec).toEqual({ featureGates: { FastImagePull: true } });
  });

  test('a bounded total below nodeadm\'s per-image default is refused, naming the default', () => {
    expect(() => SociBootstrap.native({ tuning: { maxConcurrentDownloads: 10 } }))
      .toThrow('SociBootstrap.native: tuning.maxConcurrentDownloads 10 is invalid: must be at least maxConcurrentDownloadsPerImage (20, the nodeadm default)');
    expect(() => SociBootstrap.native({ tuning: { maxConcurrentDownloads: 10, maxConcurrentDownloadsPerImage: 5 } })).not.toThrow();
  });

  test('rendering Bottlerocket settings with an AL2023 bootstrap is refused', () => {
    expect(() => SociBootstrap.native().renderUserData({ bottlerocketSettings: '[settings]\n' })).toThrow('SociBootstrap.native: bottlerocketSettings');
  });
});

describe('nodeadm defaults', () => {
  test('equal the config.toml nodeadm v20260724 writes (upstream fixture)', () => {
    // GIVEN the reference, whose table names are dotted paths
    const reference = nodeadmSociSnapshotterConfig().config as Record<string, Record<string, unknown>>;
    const nested: Record<string, any> = {};
    for (const [table, keys] of Object.entries(reference)) {
      let at = nested;
      for (const segment of table === '' ? [] : table.split('.')) at = at[segment] ??= {};
      Object.assign(at, keys);
    }
    // THEN
    expect(JSON.parse(JSON.stringify(NODEADM_SOCI_CONFIG))).toEqual(nested);
  });
});

describe('SociBootstrap.manualInstall', () => {
  test('works on AL2023 with no node requirements', () => {
    const bootstrap = SociBootstrap.manualInstall();
    expect(bootstrap.amiFamilies).toEqual([AmiAliasFamily.AL2023]);
    expect(bootstrap.nodeRequirements).toEqual([]);
  });

  test('discard true in SOCI is discard true in containerd (schema v2)', () => {
    const [nodeConfig] = (SociBootstrap.manualInstall({ tuning: { discardUnpackedLayers: true } }) as RenderedBootstrap).parts;
    expect(nodeConfig.nodeConfigSpec?.containerd?.config).toContain('[plugins."io.containerd.grpc.v1.cri".containerd]\nsnapshotter = "soci"\ndisable_snapshot_annotations = false\ndiscard_unpacked_layers = true\n');
  });

  test('an http mirror is accepted only with allowInsecureMirror and both digests pinned', () => {
    // GIVEN
    const pins = { amd64: 'ab'.repeat(32), arm64: 'cd'.repeat(32) };
    // THEN
    expect(() => SociBootstrap.manualInstall({ mirrorBaseUrl: 'http://mirror.internal/soci' }))
      .toThrow('SociBootstrap.manualInstall: mirrorBaseUrl "http://mirror.internal/soci" is invalid: an https:// URL; to download over plain http set allowInsecureMirror: true and pin sha256 for amd64 and arm64');
    const script = (SociBootstrap.manualInstall({ mirrorBaseUrl: 'http://mirror.internal/soci', allowInsecureMirror: true, sha256: pins }) as RenderedBootstrap).parts[1].body;
    expect(script).toContain("BASE_URL='http://mirror.internal/soci'");
    expect(script).not.toContain('--proto-redir');
  });

  test.each<[string, { amd64?: string; arm64?: string } | undefined, string]>([
    ['no pin', undefined, 'sha256.amd64, sha256.arm64'],
    ['only amd64 pinned', { amd64: 'ab'.repeat(32) }, 'sha256.arm64'],
    ['only arm64 pinned', { arm64: 'ab'.repeat(32) }, 'sha256.amd64'],
  ])('GIVEN allowInsecureMirror with %s WHEN built THEN a ConfigError names the missing pins, for http and https mirrors alike', (_, sha256, missing) => {
    for (const mirrorBaseUrl of ['http://mirror.internal/soci', 'https://mirror.internal/soci', undefined]) {
      // WHEN
      const attempt = () => SociBootstrap.manualInstall({ mirrorBaseUrl, allowInsecureMirror: true, sha256 });
      // THEN
      expect(attempt).toThrow(ConfigError);
      expect(attempt).toThrow(`SociBootstrap.manualInstall: allowInsecureMirror true is invalid: only together with a pinned sha256 for every architecture (missing: ${missing})`);
    }
  });

  test.each([
    ['user and password', 'https://deploy:s3cr3t-token@artifacts.example.com/soci'],
    ['a user only', 'https://s3cr3t-token@artifacts.example.com/soci'],
    ['an empty userinfo', 'https://@artifacts.example.com/soci'],
    ['credentials and a bad character', 'https://deploy:s3cr3t-token@artifacts.example.com/so ci'],
    ['credentials on http', 'http://deploy:s3cr3t-token@artifacts.example.com/soci'],
  ])('GIVEN a mirror URL with %s WHEN built THEN it is refused and the message does not repeat the credentials', (_, mirrorBaseUrl) => {
    // WHEN
    let error: unknown;
    try {
      SociBootstrap.manualInstall({ mirrorBaseUrl, allowInsecureMirror: true, sha256: { amd64: 'ab'.repeat(32), arm64: 'cd'.repeat(32) } });
    } catch (e) {
      error = e;
    }
    // THEN
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toMatch(/^SociBootstrap\.manualInstall: mirrorBaseUrl \(a URL with credentials: https?:\/\/\*\*\*@artifacts\.example\.com\/so ?ci; not shown\) is invalid: a URL without "user:password@"/);
    expect((error as ConfigError).message).not.toContain('s3cr3t');
    expect(JSON.stringify((error as ConfigError).value)).not.toContain('s3cr3t');
  });

  test('an "@" in the path of a mirror URL is not taken for credentials', () => {
    expect(() => SociBootstrap.manualInstall({ mirrorBaseUrl: 'https://artifacts.example.com/npm/@soci/releases' })).not.toThrow();
  });

  test.each([
    '/', '/etc', '/proc', '/sys', '/dev', '/usr', '/boot', '/bin', '/sbin', '/lib', '/lib64', '/var', '/var/lib', '/var/lib/containerd',
    '/run', '/tmp', '/root', '/home', '/mnt', '/opt', '/srv', '/etc/soci', '/usr/local/soci', '/home/ec2-user/soci', '/tmp/soci', '/run/soci',
    '/var/log/soci', '/var/lib/kubelet', '/var/lib/kubelet/soci', '/var/lib/cloud/instance', '/var/lib/containerd/io.containerd.content.v1.content',
    '/var/lib/containerd/soci',
  ])('GIVEN sociRoot %j WHEN built THEN it is refused as not a dedicated directory', (sociRoot) => {
    // WHEN
    const attempt = () => SociBootstrap.manualInstall({ sociRoot });
    // THEN
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(new RegExp(`^SociBootstrap\\.manualInstall: sociRoot ${JSON.stringify(sociRoot)} is invalid: (it is|an absolute directory path)`));
  });

  test.each([
    '/var/lib/containerd/io.containerd.snapshotter.v1.soci', '/var/lib/soci-snapshotter-grpc', '/var/lib/soci/data', '/mnt/soci', '/opt/soci', '/srv/soci',
  ])('GIVEN the dedicated sociRoot %j WHEN built THEN daemon and containerd both use it', (sociRoot) => {
    const bootstrap = SociBootstrap.manualInstall({ sociRoot }) as RenderedBootstrap;
    expect(bootstrap.parts[0].nodeConfigSpec?.containerd?.config).toContain(`root = "${sociRoot}"`);
    expect(bootstrap.parts[1].body).toContain(`--root ${sociRoot} `);
  });

  test('the minimum version is accepted', () => {
    expect(() => SociBootstrap.manualInstall({ sociVersion: '0.11.0' })).not.toThrow();
  });
});

describe('SociBootstrap.bottlerocket', () => {
  test('works on Bottlerocket only; without tuning only the mode is set', () => {
    const bootstrap = SociBootstrap.bottlerocket();
    expect(bootstrap.amiFamilies).toEqual([AmiAliasFamily.BOTTLEROCKET]);
    expect(bootstrap.nodeRequirements).toEqual([]);
    expect(bootstrap.renderUserData()).toBe('[settings.container-runtime]\nsnapshotter = "soci"\n\n[settings.container-runtime-plugins.soci-snapshotter]\npull-mode = "parallel-pull-unpack"\n');
  });

  test('the whole layer is "unlimited"', () => {
    expect(SociBootstrap.bottlerocket({ tuning: { concurrentDownloadChunkSize: ChunkSize.wholeLayer() } }).renderUserData())
      .toContain('concurrent-download-chunk-size = "unlimited"\n');
  });

  test('a user key that changes a SOCI setting is a ConfigError naming the key', () => {
    const attempt = () => SociBootstrap.bottlerocket().renderUserData({ bottlerocketSettings: '[settings.container-runtime]\nsnapshotter = "overlayfs"\n' });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow('SociBootstrap.bottlerocket: bottlerocketSettings settings.container-runtime.snapshotter "overlayfs" is invalid');
  });

  test('a user key equal to SOCI\'s, and unrelated container-runtime keys, merge', () => {
    const text = SociBootstrap.bottlerocket().renderUserData({ bottlerocketSettings: '[settings.container-runtime]\nsnapshotter = "soci"\nmax-container-log-line-size = 32768\n' });
    expect(text).toContain('[settings.container-runtime]\nsnapshotter = "soci"\nmax-container-log-line-size = 32768\n');
  });

  test.each([
    ['not TOML', '[settings\nx = 1', 'valid TOML is required'],
    ['a non-settings table', '[kernel]\nlockdown = "integrity"\n', 'bottlerocketSettings.kernel'],
    ['a table where SOCI sets a value', '[settings.container-runtime.snapshotter]\nx = 1\n', 'settings.container-runtime.snapshotter'],
  ])('user settings with %s are refused', (_, settings, message) => {
    expect(() => SociBootstrap.bottlerocket().renderUserData({ bottlerocketSettings: settings })).toThrow(message);
  });

  test('MIME parts and a cluster section are refused on Bottlerocket', () => {
    expect(() => SociBootstrap.bottlerocket().renderUserData({ partsAfter: [UserDataPart.shellScript('#!/bin/sh\n')] })).toThrow('SociBootstrap.bottlerocket: partsAfter');
    expect(() => SociBootstrap.bottlerocket().renderUserData({ cluster: { name: 'x' } })).toThrow('SociBootstrap.bottlerocket: cluster');
  });
});

describe('SociBootstrap.amiDefault', () => {
  test('renders nothing, needs nothing, fits any AMI', () => {
    const bootstrap = SociBootstrap.amiDefault();
    expect(bootstrap.renderUserData()).toBeUndefined();
    expect(bootstrap.renderUserData({ partsBefore: [], partsAfter: [] })).toBeUndefined();
    expect(bootstrap.amiFamilies).toEqual([]);
    expect(bootstrap.nodeRequirements).toEqual([]);
  });

  test('with user parts renders just those parts', () => {
    const text = SociBootstrap.amiDefault().renderUserData({ partsAfter: [UserDataPart.shellScript('#!/bin/bash\necho hi\n')] });
    expect(text).toBe('MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="==SOCI-USERDATA-BOUNDARY=="\n\n--==SOCI-USERDATA-BOUNDARY==\nContent-Type: text/x-shellscript; charset="us-ascii"\n\n#!/bin/bash\necho hi\n--==SOCI-USERDATA-BOUNDARY==--\n');
  });

  test('with Bottlerocket settings renders those settings', () => {
    expect(SociBootstrap.amiDefault().renderUserData({ bottlerocketSettings: '[settings.kubernetes]\nmax-pods = 58' })).toBe('[settings.kubernetes]\nmax-pods = 58\n');
  });
});

const SHA = 'ab'.repeat(32);
const tuningCases: [string, ParallelPullTuning, string][] = [
  ['maxConcurrentDownloads 0', { maxConcurrentDownloads: 0 }, 'tuning.maxConcurrentDownloads 0 is invalid: a positive whole number, or UNBOUNDED (-1)'],
  ['maxConcurrentDownloadsPerImage -2', { maxConcurrentDownloadsPerImage: -2 }, 'tuning.maxConcurrentDownloadsPerImage -2 is invalid'],
  ['maxConcurrentUnpacks 1.5', { maxConcurrentUnpacks: 1.5 }, 'tuning.maxConcurrentUnpacks 1.5 is invalid'],
  ['maxConcurrentUnpacksPerImage "4"', { maxConcurrentUnpacksPerImage: '4' as unknown as number }, 'tuning.maxConcurrentUnpacksPerImage "4" is invalid'],
  ['a chunk size string', { concurrentDownloadChunkSize: '16mb' as unknown as ChunkSize }, 'tuning.concurrentDownloadChunkSize "16mb" is invalid: a ChunkSize'],
  ['discardUnpackedLayers "yes"', { discardUnpackedLayers: 'yes' as unknown as boolean }, 'tuning.discardUnpackedLayers "yes" is invalid: true or false'],
  ['a relative decompressor', { decompressStreams: { gzip: { path: 'unpigz' } } }, 'tuning.decompressStreams.gzip.path "unpigz" is invalid: an absolute path'],
  ['a decompressor with ..', { decompressStreams: { gzip: { path: '/usr/../tmp/x' } } }, 'tuning.decompressStreams.gzip.path "/usr/../tmp/x" is invalid'],
  ['an unknown algorithm', { decompressStreams: { lz4: { path: '/usr/bin/lz4' } } as never }, 'tuning.decompressStreams.lz4'],
  ['an argument with a newline', { decompressStreams: { gzip: { path: '/usr/bin/unpigz', args: ['-d\n'] } } }, 'tuning.decompressStreams.gzip.args "-d\\n" is invalid'],
  ['an unknown option', { maxDownloads: 3 } as never, 'tuning.maxDownloads 3 is invalid: not a tuning option'],
  ['unpacks per image above a bounded total', { maxConcurrentUnpacks: 4, maxConcurrentUnpacksPerImage: 8 }, 'tuning.maxConcurrentUnpacks 4 is invalid: must be at least maxConcurrentUnpacksPerImage (8)'],
];

describe.each([
  ['SociBootstrap.native', (tuning: ParallelPullTuning) => SociBootstrap.native({ tuning })],
  ['SociBootstrap.manualInstall', (tuning: ParallelPullTuning) => SociBootstrap.manualInstall({ tuning })],
  ['SociBootstrap.bottlerocket', (tuning: ParallelPullTuning) => SociBootstrap.bottlerocket({ tuning })],
])('%s tuning errors', (where, build) => {
  test.each(tuningCases.filter(([name]) => !(where === 'SociBootstrap.bottlerocket' && name.includes('decompressor'))))('%s', (_, tuning, message) => {
    expect(() => build(tuning)).toThrow(ConfigError);
    expect(() => build(tuning)).toThrow(`${where}: ${message}`);
  });
});

describe('builder errors', () => {
  test.each<[string, () => unknown, string]>([
    ['manual: version below 0.11.0', () => SociBootstrap.manualInstall({ sociVersion: '0.10.2' }), 'SociBootstrap.manualInstall: sociVersion "0.10.2" is invalid: 0.11.0 or later'],
    ['manual: version not a release', () => SociBootstrap.manualInstall({ sociVersion: 'latest' }), 'sociVersion "latest" is invalid: a release such as "0.15.0"'],
    ['manual: mirror with a query', () => SociBootstrap.manualInstall({ mirrorBaseUrl: 'https://m.example.com/soci?x=1' }), 'mirrorBaseUrl "https://m.example.com/soci?x=1" is invalid'],
    ['manual: mirror with a quote', () => SociBootstrap.manualInstall({ mirrorBaseUrl: "https://m.example.com/it's" }), 'mirrorBaseUrl'],
    ['manual: mirror not a URL', () => SociBootstrap.manualInstall({ mirrorBaseUrl: 'ftp://m.example.com' }), 'mirrorBaseUrl "ftp://m.example.com" is invalid'],
    ['manual: short sha256', () => SociBootstrap.manualInstall({ sha256: { amd64: 'abc123' } }), 'SociBootstrap.manualInstall: sha256.amd64 "abc123" is invalid: a sha256 digest: 64 hex digits'],
    ['manual: sha256 for another arch', () => SociBootstrap.manualInstall({ sha256: { riscv64: SHA } as never }), 'sha256.riscv64'],
    ['manual: relative root', () => SociBootstrap.manualInstall({ sociRoot: 'var/lib/soci' }), 'sociRoot "var/lib/soci" is invalid: an absolute directory path'],
    ['manual: root with a trailing slash', () => SociBootstrap.manualInstall({ sociRoot: '/var/lib/soci/' }), 'sociRoot "/var/lib/soci/" is invalid'],
    ['manual: root with a space', () => SociBootstrap.manualInstall({ sociRoot: '/var/lib/my soci' }), 'sociRoot "/var/lib/my soci" is invalid'],
    ['manual: containerd schema 1', () => SociBootstrap.manualInstall({ containerdConfigVersion: 1 as ContainerdConfigVersion }), 'containerdConfigVersion 1 is invalid: ContainerdConfigVersion.V2'],
    ['manual: too many retries', () => SociBootstrap.manualInstall({ download: { retries: 11 } }), 'download.retries 11 is invalid: a whole number from 0 to 10'],
    ['manual: zero connect timeout', () => SociBootstrap.manualInstall({ download: { connectTimeoutSeconds: 0 } }), 'download.connectTimeoutSeconds 0 is invalid: a whole number from 1 to 60'],
    ['manual: max time too long', () => SociBootstrap.manualInstall({ download: { maxTimeSeconds: 3600 } }), 'download.maxTimeSeconds 3600 is invalid: a whole number from 10 to 900'],
    ['manual: unknown download option', () => SociBootstrap.manualInstall({ download: { timeout: 5 } as never }), 'download.timeout 5 is invalid: not a download option'],
    ['manual: allowInsecureMirror "yes"', () => SociBootstrap.manualInstall({ allowInsecureMirror: 'yes' as never }), 'allowInsecureMirror "yes" is invalid: true or false'],
    ['manual: misspelt prop', () => SociBootstrap.manualInstall({ sociVersions: '0.15.0' } as never), 'SociBootstrap.manualInstall: sociVersions "0.15.0" is invalid: not a prop of SociBootstrap.manualInstall'],
    ['native: keepSociDataOnEbs "true"', () => SociBootstrap.native({ keepSociDataOnEbs: 'true' as never }), 'SociBootstrap.native: keepSociDataOnEbs "true" is invalid: true or false'],
    ['bottlerocket: decompressors', () => SociBootstrap.bottlerocket({ tuning: { decompressStreams: { gzip: { path: '/usr/bin/unpigz' } } } }), 'SociBootstrap.bottlerocket: tuning.decompressStreams'],
    ['bottlerocket: unbounded per image', () => SociBootstrap.bottlerocket({ tuning: { maxConcurrentDownloadsPerImage: UNBOUNDED } }), 'SociBootstrap.bottlerocket: tuning.maxConcurrentDownloadsPerImage -1 is invalid: a positive whole number'],
    ['bottlerocket: total below the per-image default', () => SociBootstrap.bottlerocket({ tuning: { maxConcurrentDownloads: 2 } }), 'must be at least maxConcurrentDownloadsPerImage (3, the Bottlerocket default)'],
  ])('%s', (_, attempt, message) => {
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(message);
  });
});
