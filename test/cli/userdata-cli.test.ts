import { spawnSync } from 'child_process';
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
    ['a zero count', ['--strategy', 'native', '--max-concurrent-downloads-per-image', '0'], EXIT_CONFIG, '--max-concurrent-downloads-per-image: SociBootstrap.native: tuning.maxConcurrentDownloadsPerImage 0 is invalid'],
    ['an http mirror', ['--strategy', 'manual', '--mirror', 'http://m.internal/soci'], EXIT_CONFIG, '--mirror: SociBootstrap.manualInstall: mirrorBaseUrl "http://m.internal/soci" is invalid: an https:// URL; set allowInsecureMirror'],
    ['a short sha256', ['--strategy', 'manual', '--sha256-arm64', 'abc'], EXIT_CONFIG, '--sha256-arm64: SociBootstrap.manualInstall: sha256.arm64 "abc" is invalid'],
    ['an old SOCI', ['--strategy', 'manual', '--soci-version', '0.9.0'], EXIT_CONFIG, '--soci-version: SociBootstrap.manualInstall: sociVersion "0.9.0" is invalid: 0.11.0 or later'],
    ['a bad service CIDR', ['--strategy', 'native', ...CLUSTER_ARGS.slice(0, 6), '--service-cidr', '10.0.0.0'], EXIT_CONFIG, '--service-cidr: SociBootstrap.native: cluster.cidr "10.0.0.0" is invalid'],
    ['a relative decompressor', ['--strategy', 'native', '--decompress-gzip', 'unpigz -d'], EXIT_CONFIG, '--decompress-gzip: SociBootstrap.native: tuning.decompressStreams.gzip.path "unpigz" is invalid'],
  ])('%s exits %d with a message naming the flag', (_, argv, exitCode, message) => {
    // WHEN
    const result = runUserdataCli(argv);
    // THEN
    expect(result.exitCode).toBe(exitCode);
    expect(result.stdout).toBe('');
    expect(result.stderr.startsWith(message)).toBe(true);
  });

  test('--allow-insecure-mirror makes an http mirror acceptable', () => {
    expect(runUserdataCli(['--strategy', 'manual', '--mirror', 'http://m.internal/soci', '--allow-insecure-mirror']).exitCode).toBe(0);
  });
});

describe('npm run userdata (real process)', () => {
  const tsx = (args: string[]) => spawnSync('npx', ['tsx', 'scripts/userdata.ts', ...args], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 30_000 });

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
