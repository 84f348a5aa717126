import { spawnSync } from 'child_process';
import { generateKeyPairSync } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { EXIT_CONFIG, EXIT_USAGE, runUserdataCli } from '../../lib/cli';
import { scenario, CLUSTER, SHA_AMD64, SHA_ARM64, MIRROR } from '../bootstrap/scenarios';
import { expectMatchesGolden } from '../golden/golden-file';
import { inspectWithPython } from '../support/python';

const REPO_ROOT = path.resolve(__dirname, '../..');
const CLUSTER_ARGS = [
  '--cluster-name', CLUSTER.name,
  '--api-server-endpoint', CLUSTER.apiServerEndpoint,
  '--certificate-authority', CLUSTER.certificateAuthority,
  '--service-cidr', CLUSTER.cidr,
];

describe('userdata CLI (pure function)', () => {
  test('a launch template with a cluster section renders the same bytes as the library, and matches its golden', () => {
    // WHEN
    const result = runUserdataCli(['--strategy', 'native', ...CLUSTER_ARGS]);
    // THEN
    expect(result).toEqual({ stdout: scenario('launch-template-cluster.mime').render(), stderr: '', exitCode: 0 });
    expectMatchesGolden('launch-template-cluster.mime', result.stdout);
  });

  test('manual flags reach the builder: mirror, version, both pins', () => {
    const result = runUserdataCli([
      '--strategy', 'manual', '--soci-version', 'v0.14.1', `--mirror=${MIRROR}`, '--sha256-amd64', SHA_AMD64, '--sha256-arm64', SHA_ARM64,
      '--soci-root', '/var/lib/soci-snapshotter-grpc',
    ]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain("BASE_URL='https://artifacts.example.com/soci-snapshotter'");
    expect(result.stdout).toContain("VERSION='0.14.1'");
    expect(result.stdout).toContain(SHA_AMD64);
    expect(result.stdout).toContain(SHA_ARM64);
    expect(result.stdout).toContain('root = "/var/lib/soci-snapshotter-grpc"');
  });

  test('--containerd-config-version 3 writes schema v3 names only', () => {
    const result = runUserdataCli(['--strategy', 'manual', '--containerd-config-version', '3']);
    expect(result.stdout).toContain('[plugins."io.containerd.cri.v1.images"]');
    expect(result.stdout).not.toContain('io.containerd.grpc.v1.cri');
  });

  test('every tuning flag lands in SOCI\'s config.toml (AL2023) with SOCI units', () => {
    const result = runUserdataCli([
      '--strategy', 'native', '--max-concurrent-downloads', 'unbounded', '--max-concurrent-downloads-per-image', '10',
      '--max-concurrent-unpacks', '24', '--max-concurrent-unpacks-per-image', '8', '--chunk-size', '16mb',
      '--discard-unpacked-layers', 'false', '--decompress-zstd', '/usr/bin/zstd -d -c', '--keep-soci-data-on-ebs',
    ]);
    expect(result.exitCode).toBe(0);
    const config = /<<'SOCI_CONFIG_TOML'\n([\s\S]*?)\nSOCI_CONFIG_TOML\n/.exec(result.stdout)![1];
    const [parsed] = inspectWithPython({ toml: [config] }).toml;
    expect((parsed as any).value.pull_modes.parallel_pull_unpack).toEqual(expect.objectContaining({
      max_concurrent_downloads: -1,
      max_concurrent_downloads_per_image: 10,
      max_concurrent_unpacks: 24,
      max_concurrent_unpacks_per_image: 8,
      concurrent_download_chunk_size: '16mb',
      discard_unpacked_layers: false,
      decompress_streams: { gzip: { path: '/usr/bin/unpigz', args: ['-d', '-c'] }, zstd: { path: '/usr/bin/zstd', args: ['-d', '-c'] } },
    }));
    expect(result.stdout).toContain('disabledMounts:\n        - SOCI');
  });

  test('bottlerocket: --chunk-size 16mb becomes 16777216 bytes, whole-layer becomes "unlimited"', () => {
    expect(runUserdataCli(['--strategy', 'bottlerocket', '--chunk-size', '16mb']).stdout).toContain('concurrent-download-chunk-size = 16777216\n');
    expect(runUserdataCli(['--strategy', 'bottlerocket', '--chunk-size', 'whole-layer']).stdout).toContain('concurrent-download-chunk-size = "unlimited"\n');
  });

  test('--base64 encodes exactly the user data', () => {
    const plain = runUserdataCli(['--strategy', 'native']).stdout;
    const encoded = runUserdataCli(['--strategy', 'native', '--base64']).stdout;
    expect(Buffer.from(encoded.trim(), 'base64').toString('utf8')).toBe(plain);
  });

  test('--out asks for the file to be written and prints nothing on stdout', () => {
    const result = runUserdataCli(['--strategy', 'native', '--out', 'ud.txt']);
    expect(result.file).toEqual({ path: 'ud.txt', content: runUserdataCli(['--strategy', 'native']).stdout });
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^wrote \d+ bytes to ud.txt\n$/);
  });

  test('--strategy none without cluster flags renders nothing and says why; with them, only the cluster section', () => {
    expect(runUserdataCli(['--strategy', 'none'])).toEqual({ stdout: '', stderr: expect.stringContaining('nothing to render'), exitCode: 0 });
    const withCluster = runUserdataCli(['--strategy', 'none', ...CLUSTER_ARGS]);
    expect(withCluster.exitCode).toBe(0);
    expect(withCluster.stdout.match(/^Content-Type: application\/node.eks.aws$/gm)).toHaveLength(1);
    expect(withCluster.stdout).not.toContain('FastImagePull');
  });

  test('--help prints usage listing every flag', () => {
    const result = runUserdataCli(['--help']);
    expect(result.exitCode).toBe(0);
    for (const flag of ['--strategy', '--chunk-size', '--discard-unpacked-layers', '--keep-soci-data-on-ebs', '--allow-insecure-mirror', '--out']) {
      expect(result.stdout).toContain(flag);
    }
  });

  test.each<[string, string[], number, string]>([
    ['an unknown flag', ['--strategy', 'native', '--chunk', '8mb'], EXIT_USAGE, '--chunk: unknown flag; known flags: --strategy'],
    ['a bare argument', ['native'], EXIT_USAGE, 'native: unexpected argument'],
    ['no strategy', [], EXIT_USAGE, '--strategy: required: one of native, manual, bottlerocket, none'],
    ['an unknown strategy', ['--strategy', 'lazy'], EXIT_USAGE, '--strategy: "lazy" is not allowed; use one of native, manual, bottlerocket, none'],
    ['a missing value', ['--strategy', 'native', '--chunk-size'], EXIT_USAGE, '--chunk-size: needs a value'],
    ['a flag given twice', ['--strategy', 'native', '--strategy', 'manual'], EXIT_USAGE, '--strategy: given more than once'],
    ['a non-numeric count', ['--strategy', 'native', '--max-concurrent-unpacks', 'ten'], EXIT_USAGE, '--max-concurrent-unpacks: "ten" is not allowed; use a positive whole number or "unbounded"'],
    ['a MiB chunk size', ['--strategy', 'native', '--chunk-size', '16MiB'], EXIT_USAGE, '--chunk-size: "16MiB" is not allowed: use SOCI\'s size grammar'],
    ['a yes/no boolean', ['--strategy', 'native', '--discard-unpacked-layers', 'yes'], EXIT_USAGE, '--discard-unpacked-layers: "yes" is not allowed; use true or false'],
    ['containerd schema 1', ['--strategy', 'manual', '--containerd-config-version', '1'], EXIT_USAGE, '--containerd-config-version: "1" is not allowed; use 2 (containerd 1.7) or 3 (containerd 2.x)'],
    ['a manual flag on native', ['--strategy', 'native', '--soci-version', '0.15.0'], EXIT_USAGE, '--soci-version: applies to --strategy manual only, not native'],
    ['part of the cluster flags', ['--strategy', 'native', '--cluster-name', 'x'], EXIT_USAGE, '--cluster-name: the cluster flags go together; also give --api-server-endpoint, --certificate-authority, --service-cidr'],
    ['cluster flags on bottlerocket', ['--strategy', 'bottlerocket', ...CLUSTER_ARGS], EXIT_USAGE, '--cluster-name: the cluster flags write a NodeConfig cluster section'],
    ['tuning with none', ['--strategy', 'none', '--chunk-size', '8mb'], EXIT_USAGE, '--chunk-size: tuning needs a strategy that configures SOCI'],
    ['a switch with a value', ['--strategy', 'native', '--base64=yes'], EXIT_USAGE, '--base64: "yes" is not allowed'],
    ['a zero count', ['--strategy', 'native', '--max-concurrent-downloads-per-image', '0'], EXIT_CONFIG, '--max-concurrent-downloads-per-image: "0" is invalid: a positive whole number, or "unbounded" for no limit'],
    ['a total below the per-image default', ['--strategy', 'native', '--max-concurrent-downloads', '2'], EXIT_CONFIG, '--max-concurrent-downloads: "2" is invalid: must be at least --max-concurrent-downloads-per-image (20, the nodeadm default) or "unbounded";'],
    ['an http mirror', ['--strategy', 'manual', '--mirror', 'http://m.internal/soci'], EXIT_CONFIG, '--mirror: "http://m.internal/soci" is invalid: an https:// URL; to download over plain http set --allow-insecure-mirror and give --sha256-amd64 and --sha256-arm64'],
    ['an insecure mirror with one pin', ['--strategy', 'manual', '--mirror', 'http://m.internal/soci', '--allow-insecure-mirror', '--sha256-amd64', SHA_AMD64], EXIT_CONFIG, '--allow-insecure-mirror: only together with a pinned sha256 for every architecture (missing: --sha256-arm64)'],
    ['a system directory as SOCI root', ['--strategy', 'manual', '--soci-root', '/etc'], EXIT_CONFIG, '--soci-root: "/etc" is invalid: it is a system directory'],
    ['a short sha256', ['--strategy', 'manual', '--sha256-arm64', 'abc'], EXIT_CONFIG, '--sha256-arm64: "abc" is invalid: a sha256 digest'],
    ['an old SOCI', ['--strategy', 'manual', '--soci-version', '0.9.0'], EXIT_CONFIG, '--soci-version: "0.9.0" is invalid: 0.11.0 or later'],
    ['a fraction of a byte', ['--strategy', 'native', '--chunk-size', '0.1b'], EXIT_USAGE, '--chunk-size: "0.1b" is not allowed: a size that comes to a whole number of bytes'],
    ['a service CIDR without prefix', ['--strategy', 'native', ...CLUSTER_ARGS.slice(0, 6), '--service-cidr', '10.0.0.0'], EXIT_USAGE, '--service-cidr: "10.0.0.0" is not allowed: it is not ADDRESS/PREFIX'],
    ['a zstd decompressor on Bottlerocket', ['--strategy', 'bottlerocket', '--decompress-zstd', '/usr/bin/zstd -d'], EXIT_CONFIG, '--decompress-zstd: "/usr/bin/zstd -d" is invalid: Bottlerocket has no decompressor setting'],
    ['a relative decompressor', ['--strategy', 'native', '--decompress-gzip', 'unpigz -d'], EXIT_CONFIG, '--decompress-gzip: "unpigz -d" is invalid: an absolute path to an executable'],
    ['an unknown flag of 5,000 characters', ['--strategy', 'native', `--${'x'.repeat(5000)}`], EXIT_USAGE, `"--${'x'.repeat(78)}"... (5002 characters): unknown flag`],
  ])('%s: a non-zero exit and a message naming the flag', (_, argv, exitCode, message) => {
    // WHEN
    const result = runUserdataCli(argv);
    // THEN
    expect(result.exitCode).toBe(exitCode);
    expect(result.stdout).toBe('');
    expect(result.stderr.startsWith(message)).toBe(true);
  });

  test('--allow-insecure-mirror with both pins makes an http mirror acceptable', () => {
    const result = runUserdataCli(['--strategy', 'manual', '--mirror', 'http://m.internal/soci', '--allow-insecure-mirror', '--sha256-amd64', SHA_AMD64, '--sha256-arm64', SHA_ARM64]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain("BASE_URL='http://m.internal/soci'");
  });

  test('GIVEN refused values of every builder-checked flag WHEN run THEN no message uses a prop name or constant instead of the flag', () => {
    // GIVEN
    const refused: string[][] = [
      ['--strategy', 'native', '--max-concurrent-downloads-per-image', '0'],
      ['--strategy', 'native', '--max-concurrent-downloads', '2'],
      ['--strategy', 'native', '--max-concurrent-unpacks', '4', '--max-concurrent-unpacks-per-image', '8'],
      ['--strategy', 'bottlerocket', '--max-concurrent-downloads-per-image', 'unbounded'],
      ['--strategy', 'bottlerocket', '--decompress-gzip', '/usr/bin/unpigz'],
      ['--strategy', 'manual', '--mirror', 'http://m.internal/soci'],
      ['--strategy', 'manual', '--mirror', 'http://m.internal/soci', '--allow-insecure-mirror'],
      ['--strategy', 'manual', '--mirror', 'ftp://m.internal'],
      ['--strategy', 'manual', '--soci-root', '/var/lib/containerd'],
      ['--strategy', 'manual', '--soci-version', 'latest'],
      ['--strategy', 'manual', '--sha256-amd64', 'xyz'],
      ['--strategy', 'native', '--chunk-size', '99999999999999999999gb'],
      ['--strategy', 'native', '--decompress-zstd', '/usr/../bin/zstd'],
    ];
    for (const argv of refused) {
      // WHEN
      const result = runUserdataCli(argv);
      // THEN
      expect(result.exitCode).not.toBe(0);
      expect(result.stderr).toMatch(/^--[a-z0-9-]+: /);
      expect(result.stderr).not.toMatch(/\b(UNBOUNDED|SociBootstrap|ChunkSize|tuning\.|allowInsecureMirror|mirrorBaseUrl|sociRoot|sociVersion|sha256\.(amd64|arm64)|maxConcurrent\w*|concurrentDownloadChunkSize|decompressStreams|keepSociDataOnEbs|containerdConfigVersion)\b/);
    }
  });

  test('GIVEN credentials in --mirror WHEN run THEN refused, and neither the user nor the password is printed', () => {
    const result = runUserdataCli(['--strategy', 'manual', '--mirror', 'https://deployer:hunter2-token@m.internal/soci']);
    expect(result.exitCode).toBe(EXIT_CONFIG);
    expect(result.stderr).toMatch(/^--mirror: \(a URL with credentials: https:\/\/\*\*\*@m\.internal\/soci; not shown\) is invalid: a URL without "user:password@"/);
    expect(result.stderr).not.toMatch(/deployer|hunter2/);
  });
});

describe('--service-cidr', () => {
  const withCidr = (cidr: string) => runUserdataCli(['--strategy', 'native', ...CLUSTER_ARGS.slice(0, 6), '--service-cidr', cidr]);

  test.each([
    [':::::/64', '":::::/64" is not allowed: ::::: is not an IPv4 or IPv6 address'],
    ['10.100.0.1/16', '"10.100.0.1/16" is not allowed: host bits are set after the /16 prefix; the network is 10.100.0.0/16'],
    ['fd00:10:96::1/108', '"fd00:10:96::1/108" is not allowed: host bits are set after the /108 prefix; the network is fd00:10:96::/108'],
    ['10.0.0.0/33', '"10.0.0.0/33" is not allowed: an IPv4 prefix length is at most 32'],
    ['fd00::/129', '"fd00::/129" is not allowed: an IPv6 prefix length is at most 128'],
    ['300.1.0.0/16', '"300.1.0.0/16" is not allowed: 300.1.0.0 is not an IPv4 or IPv6 address'],
    ['fe80::%eth0/64', '"fe80::%eth0/64" is not allowed: it is not ADDRESS/PREFIX'],
  ])('GIVEN %j WHEN run THEN refused with the reason', (cidr, message) => {
    const result = withCidr(cidr);
    expect(result.exitCode).toBe(EXIT_USAGE);
    expect(result.stderr.startsWith(`--service-cidr: ${message}`)).toBe(true);
  });

  test.each(['10.100.0.0/16', '172.20.0.0/16', 'fd00:10:96::/108', '2001:db8::/64'])('GIVEN the network %j WHEN run THEN it lands in the cluster section', (cidr) => {
    const result = withCidr(cidr);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`\\n {4}cidr: "?${cidr.replace(/\./g, '\\.')}"?\\n`));
  });
});

describe('--certificate-authority', () => {
  const withCa = (ca: string) => runUserdataCli(['--strategy', 'native', ...CLUSTER_ARGS.slice(0, 4), `--certificate-authority=${ca}`, ...CLUSTER_ARGS.slice(6)]);
  const b64 = (text: string) => Buffer.from(text).toString('base64');
  const certificate = Buffer.from(CLUSTER.certificateAuthority, 'base64').toString('utf8');
  const privateKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const keyBody = privateKey.split('\n')[1];

  test.each([
    ['a private key', b64(privateKey), 'it decodes to a PEM "PRIVATE KEY" block'],
    ['a certificate followed by a private key', b64(`${certificate}${privateKey}`), 'it decodes to a PEM "PRIVATE KEY" block'],
    ['a private key not base64-encoded', privateKey, 'it is not base64'],
    ['plain text', b64(`kubeconfig with token ${keyBody}`), 'it decodes to no PEM CERTIFICATE block'],
    ['a certificate with a note after it', b64(`${certificate}token: ${keyBody}\n`), 'it decodes to text outside its PEM CERTIFICATE blocks'],
  ])('GIVEN %s WHEN run THEN refused without echoing any of it', (_, ca, reason) => {
    // WHEN
    const result = withCa(ca);
    // THEN
    expect(result.exitCode).toBe(EXIT_USAGE);
    expect(result.stderr).toBe(`--certificate-authority: (${ca.length} characters; not shown) is not allowed: ${reason}; give the cluster's CA bundle as aws eks describe-cluster returns it (base64 of PEM CERTIFICATE blocks only)\n`);
    expect(result.stderr).not.toContain(keyBody.slice(0, 16));
    expect(result.stderr).not.toContain(ca.slice(0, 16));
  });

  test('GIVEN a bundle of two certificates WHEN run THEN it is written as given', () => {
    const bundle = b64(`${certificate}${certificate}`);
    const result = withCa(bundle);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain(`certificateAuthority: ${bundle}`);
  });
});

describe('user data size, checked as at synth', () => {
  const certificate = Buffer.from(CLUSTER.certificateAuthority, 'base64').toString('utf8');
  /** A CA bundle of `count` certificates: a way to grow user data that every other check accepts. */
  const bundleOf = (count: number) => Buffer.from(certificate.repeat(count)).toString('base64');
  const withBundle = (count: number) => runUserdataCli(['--strategy', 'native', ...CLUSTER_ARGS.slice(0, 4), '--certificate-authority', bundleOf(count), ...CLUSTER_ARGS.slice(6)]);
  /** Decompressor arguments grow user data without a cluster section. */
  const withArgs = (bytes: number) => runUserdataCli(['--strategy', 'native', '--decompress-gzip', `/usr/bin/unpigz -d -c ${'-q '.repeat(Math.floor(bytes / 7))}`]);

  test('GIVEN about 21 KB of user data WHEN run THEN it exits 1 naming EC2\'s 16,384-byte limit and writes nothing', () => {
    // WHEN
    const result = withBundle(130);
    // THEN
    expect(result.exitCode).toBe(EXIT_CONFIG);
    expect(result.stdout).toBe('');
    const bytes = Number(/^user data: (\d+) bytes of user data, over EC2's 16384-byte limit/.exec(result.stderr)?.[1]);
    expect(bytes).toBeGreaterThan(20_000);
    expect(bytes).toBeLessThan(22_000);
  });

  test('GIVEN a cluster section WHEN the user data is just under 16,384 bytes THEN no room is reserved: nothing is appended to complete user data', () => {
    // GIVEN the largest bundle that still fits, searched from an estimate
    const size = (count: number) => {
      const rendered = withBundle(count);
      return rendered.exitCode === 0 ? Buffer.byteLength(rendered.stdout) : Infinity;
    };
    let count = Math.floor(16_384 / (size(2) - size(1)));
    while (size(count) > 16_384) count--;
    while (size(count + 1) <= 16_384) count++;
    // WHEN
    const result = withBundle(count);
    // THEN
    expect(result.exitCode).toBe(0);
    expect(Buffer.byteLength(result.stdout)).toBeGreaterThan(16_384 - (size(2) - size(1)));
    expect(result.stderr).toContain('bytes of user data, above 14745 bytes, where Karpenter starts warning');
    expect(withBundle(count + 1).exitCode).toBe(EXIT_CONFIG);
  });

  test('GIVEN no cluster section WHEN user data plus the 3,072-byte reserve exceeds 16,384 bytes THEN it exits 1, as the synth guard would', () => {
    // WHEN 14,000 bytes: under the limit alone, over it with what the node group appends
    const result = withArgs(14_000);
    // THEN
    expect(result.exitCode).toBe(EXIT_CONFIG);
    expect(result.stderr).toMatch(/^user data: 1\d{4} bytes of user data plus about 3072 bytes the node group \(EKS or Karpenter\) appends \(cluster CA, labels, taints, kubelet settings\) = \d+, over EC2's 16384-byte limit/);
  });
});

describe('npm run userdata (real process)', () => {
  const tsx = (args: string[]) => spawnSync(process.execPath, ['--require', 'tsx/cjs', 'scripts/userdata.ts', ...args], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 30_000 });

  test('writes --out FILE and fails with exit 2 and a named flag on bad input', () => {
    // GIVEN
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'soci-cli-'));
    const out = path.join(dir, 'user-data.txt');
    try {
      // WHEN
      const ok = tsx(['--strategy', 'native', '--out', out]);
      const bad = tsx(['--strategy', 'native', '--max-concurrent-downloads-per-image', 'many']);
      // THEN
      expect(ok.status).toBe(0);
      expect(fs.readFileSync(out, 'utf8')).toBe(scenario('native.mime').render());
      expect(bad.status).toBe(EXIT_USAGE);
      expect(bad.stdout).toBe('');
      expect(bad.stderr).toContain('--max-concurrent-downloads-per-image: "many" is not allowed');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
