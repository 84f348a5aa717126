/**
 * Runs the manual install script for real (as root, private mount namespace,
 * overlays over the system dirs) against a local HTTPS release mirror.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parse as parseToml } from 'smol-toml';
import { ContainerdConfigVersion, renderContainerdSociConfig } from '../../lib/bootstrap/containerd-config';
import { DEFAULT_MANUAL_SOCI_ROOT, SOCI_IMAGE_SERVICE_ENDPOINT } from '../../lib/bootstrap/soci-facts';
import { ManualInstallScriptInput, renderManualInstallScript } from '../../lib/bootstrap/scripts/manual-install-script';
import {
  ArtifactServer, ReleaseArchive, TlsMaterial, buildReleaseArchive, closedPort, makeSelfSignedCert,
  sha256sumFile, startArtifactServer,
} from '../support/artifact-server';
import { NodeSandbox, OVERLAID_DIRS, OverlaidDir, SandboxResult, assertNodeSandboxSupported } from '../support/node-sandbox';
import {
  CONTAINERD_CONFIG_REL, KUBELET_CONFIG_REL, KUBELET_DROP_IN_REL, NODEADM_CONTAINERD_MIGRATED, NODEADM_CONTAINERD_V2,
  NODEADM_CONTAINERD_V3, NODEADM_KUBELET_CONFIG, NODEADM_KUBELET_DROP_IN,
} from '../support/nodeadm-written-config';
import { TUNED_SOCI_CONFIG_TOML } from '../support/soci-config-fixtures';

const VERSION = '0.15.0';
const ETC_FILES = [
  'soci-snapshotter-grpc/config.toml',
  'systemd/system/containerd.service.d/10-soci-snapshotter.conf',
  'systemd/system/soci-snapshotter.service',
  'systemd/system/soci-snapshotter.socket',
];

let work: string;
let tls: TlsMaterial;
let https: ArtifactServer;
let plain: ArtifactServer;
const archives = {} as Record<'amd64' | 'arm64' | 'tampered' | 'symlink', ReleaseArchive>;
const sandboxes: NodeSandbox[] = [];

beforeAll(async () => {
  assertNodeSandboxSupported();
  work = fs.mkdtempSync('/var/tmp/soci-manual-test-');
  tls = makeSelfSignedCert(work);
  archives.amd64 = buildReleaseArchive(work, VERSION, 'amd64');
  archives.arm64 = buildReleaseArchive(work, VERSION, 'arm64');
  const tamperedDir = fs.mkdtempSync(path.join(work, 'tampered-'));
  archives.tampered = buildReleaseArchive(tamperedDir, VERSION, 'amd64', 'tampered');
  // A hostile mirror: `soci` is a symlink to a root-only file, with a matching .sha256sum.
  archives.symlink = buildReleaseArchive(fs.mkdtempSync(path.join(work, 'symlink-')), VERSION, 'amd64', 'symlink', { soci: '/etc/shadow' });
  expect(archives.tampered.sha256).not.toBe(archives.amd64.sha256);
  https = await startArtifactServer(tls);
  plain = await startArtifactServer();
  for (const arch of ['amd64', 'arm64'] as const) {
    const a = archives[arch];
    for (const [server, base] of [[https, '/good'], [plain, '/plain']] as const) {
      server.files.set(`${base}/v${VERSION}/${a.name}`, a.bytes);
      server.files.set(`${base}/v${VERSION}/${a.name}.sha256sum`, sha256sumFile(a));
    }
    // HTTPS URLs that redirect to the plain-HTTP mirror.
    https.files.set(`/redirect/v${VERSION}/${a.name}`, { redirect: `${plain.origin}/plain/v${VERSION}/${a.name}` });
    https.files.set(`/redirect/v${VERSION}/${a.name}.sha256sum`, { redirect: `${plain.origin}/plain/v${VERSION}/${a.name}.sha256sum` });
  }
  // Tampered: different bytes under the published (genuine) checksum.
  https.files.set(`/tampered/v${VERSION}/${archives.amd64.name}`, archives.tampered.bytes);
  https.files.set(`/tampered/v${VERSION}/${archives.amd64.name}.sha256sum`, sha256sumFile(archives.amd64));
  https.files.set(`/symlink/v${VERSION}/${archives.symlink.name}`, archives.symlink.bytes);
  https.files.set(`/symlink/v${VERSION}/${archives.symlink.name}.sha256sum`, sha256sumFile(archives.symlink));
});

afterAll(async () => {
  for (const s of sandboxes) s.dispose();
  await https?.close();
  await plain?.close();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

function script(overrides: Partial<ManualInstallScriptInput> = {}): string {
  return renderManualInstallScript({
    sociVersion: VERSION,
    releaseBaseUrl: `${https.origin}/good`,
    pinnedSha256: {},
    sociRoot: DEFAULT_MANUAL_SOCI_ROOT,
    configToml: TUNED_SOCI_CONFIG_TOML,
    download: { retries: 2, retryDelaySeconds: 1, connectTimeoutSeconds: 2, maxTimeSeconds: 10 },
    allowInsecureMirror: false,
    ...overrides,
  });
}

/** The decompressor TUNED_SOCI_CONFIG_TOML names (pigz ships on the EKS AL2023 AMI). */
const UNPIGZ = { 'unpigz': { content: '#!/bin/sh\nexec gzip "$@"\n', mode: 0o755 } };

/** A node; `fixtures` are files already on it (nodeadm's output), unpigz is there unless `unpigz` is false. */
function sandbox(name: string, fixtures: Partial<Record<OverlaidDir, Record<string, string>>> = {}, unpigz = true): NodeSandbox {
  const s = new NodeSandbox(name, { ...fixtures, ...(unpigz ? { '/usr/bin': UNPIGZ } : {}) });
  sandboxes.push(s);
  return s;
}

function run(s: NodeSandbox, text: string, machine = 'x86_64', failingSystemctlCall?: string): Promise<SandboxResult> {
  return s.run({ script: text, machine, env: { CURL_CA_BUNDLE: tls.caFile }, failingSystemctlCall });
}

function fetchedSince(server: ArtifactServer, mark: number): string[] {
  return server.accessLog.slice(mark);
}

function expectNothingInstalled(s: NodeSandbox, r: SandboxResult): void {
  expect(s.allWrittenFiles()).toEqual([]);
  expect(r.systemctlCalls).toEqual([]);
}

/** Every written file with its mode and content, for before/after comparisons. */
function snapshot(s: NodeSandbox): Record<string, string> {
  const out: Record<string, string> = {};
  for (const target of OVERLAID_DIRS) {
    for (const rel of s.upperFiles(target)) {
      const f = s.readUpper(target, rel);
      out[`${target}/${rel}`] = `${f.mode.toString(8)}\n${f.content}`;
    }
  }
  return out;
}

describe('manual install script on an amd64 node', () => {
  test('GIVEN a verified amd64 release WHEN the script runs THEN binaries, config, units and drop-in are installed and the units enabled', async () => {
    // GIVEN
    const s = sandbox('amd64');
    const mark = https.accessLog.length;
    // WHEN
    const r = await run(s, script({ pinnedSha256: { amd64: archives.amd64.sha256.toUpperCase() } }));
    // THEN
    expect(r.stderr).toContain(`soci-bootstrap: verified ${archives.amd64.name} (sha256 ${archives.amd64.sha256})`);
    expect(r.code).toBe(0);
    expect(fetchedSince(https, mark)).toEqual([
      `200 /good/v${VERSION}/${archives.amd64.name}`,
      `200 /good/v${VERSION}/${archives.amd64.name}.sha256sum`,
    ]);
    expect(s.upperFiles('/usr/local')).toEqual(['bin/soci', 'bin/soci-snapshotter-grpc']);
    expect(s.readUpper('/usr/local', 'bin/soci-snapshotter-grpc')).toEqual({ mode: 0o755, content: archives.amd64.daemon });
    expect(s.readUpper('/usr/local', 'bin/soci')).toEqual({ mode: 0o755, content: archives.amd64.cli });

    expect(s.upperFiles('/etc')).toEqual(ETC_FILES);
    for (const f of ETC_FILES) expect(s.readUpper('/etc', f).mode).toBe(0o644);
    expect(s.readUpper('/etc', 'soci-snapshotter-grpc/config.toml').content).toBe(TUNED_SOCI_CONFIG_TOML);

    const service = s.readUpper('/etc', 'systemd/system/soci-snapshotter.service').content;
    for (const line of [
      'Type=notify',
      `ExecStart=/usr/local/bin/soci-snapshotter-grpc --address fd:// --root ${DEFAULT_MANUAL_SOCI_ROOT} --config /etc/soci-snapshotter-grpc/config.toml`,
      'Restart=always', 'RestartSec=5', 'After=network.target', 'Before=containerd.service', 'WantedBy=multi-user.target',
    ]) expect(service.split('\n')).toContain(line);
    const socket = s.readUpper('/etc', 'systemd/system/soci-snapshotter.socket').content;
    for (const line of ['ListenStream=/run/soci-snapshotter-grpc/soci-snapshotter-grpc.sock', 'SocketMode=0660', 'WantedBy=sockets.target']) {
      expect(socket.split('\n')).toContain(line);
    }
    const dropIn = s.readUpper('/etc', 'systemd/system/containerd.service.d/10-soci-snapshotter.conf').content.split('\n');
    expect(dropIn).toContain('Requires=soci-snapshotter.service');
    expect(dropIn).toContain('After=soci-snapshotter.service');
    // nodeadm's own import (importSandboxImageForSOCI, sandbox_image.go @ v20260724), argument for argument.
    expect(dropIn.find((l) => l.startsWith('ExecStartPost=-'))).toContain(
      'ctr --namespace k8s.io images import --snapshotter soci --discard-unpacked-layers=false --local /etc/eks/pause.tar');

    // Enabled, not started: with RAID0, nodeadm-run mounts the array over /var/lib/containerd after this
    // script; containerd's Requires= drop-in starts the daemon after that, at every boot.
    expect(r.systemctlCalls).toEqual(['daemon-reload', 'enable soci-snapshotter.socket']);
    expect(r.systemctlCalls.join('\n')).not.toMatch(/--now|start|restart/);
    // Nothing else written: no leftover temp dir, nothing under /usr/bin, /var/lib or /run.
    expect(s.allWrittenFiles().filter((f) => !f.startsWith('/etc/') && !f.startsWith('/usr/local/'))).toEqual([]);
    expect(r.loggerCalls).toContain(`-t soci-bootstrap -- installed SOCI ${VERSION} (amd64)`);
  });

  test('GIVEN a node that already ran the script WHEN it runs again THEN it exits 0 and leaves the same files', async () => {
    // GIVEN
    const s = sandbox('rerun');
    const first = await run(s, script());
    expect(first.code).toBe(0);
    const before = snapshot(s);
    // WHEN
    const second = await run(s, script());
    // THEN
    expect(second.stderr).not.toMatch(/ERROR/);
    expect(second.code).toBe(0);
    expect(snapshot(s)).toEqual(before);
    expect(Object.keys(before)).toHaveLength(6);
    expect(second.systemctlCalls).toEqual(first.systemctlCalls);
  });
});

describe('manual install script architecture detection', () => {
  test('GIVEN uname -m reports aarch64 WHEN the script runs THEN the arm64 archive is fetched and installed', async () => {
    // GIVEN
    const s = sandbox('arm64');
    const mark = https.accessLog.length;
    // WHEN
    const r = await run(s, script({ pinnedSha256: { arm64: archives.arm64.sha256 } }), 'aarch64');
    // THEN
    expect(r.code).toBe(0);
    expect(fetchedSince(https, mark)).toEqual([
      `200 /good/v${VERSION}/${archives.arm64.name}`,
      `200 /good/v${VERSION}/${archives.arm64.name}.sha256sum`,
    ]);
    expect(s.readUpper('/usr/local', 'bin/soci-snapshotter-grpc')).toEqual({ mode: 0o755, content: archives.arm64.daemon });
    expect(r.stderr).toContain(`installed SOCI ${VERSION} (arm64)`);
  });

  test('GIVEN uname -m reports riscv64 WHEN the script runs THEN it fails naming the value and the supported ones, and installs nothing', async () => {
    // GIVEN
    const s = sandbox('riscv');
    const mark = https.accessLog.length;
    // WHEN
    const r = await run(s, script(), 'riscv64');
    // THEN
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      "soci-bootstrap: ERROR: unsupported architecture 'riscv64' (uname -m); supported: x86_64 (amd64), aarch64 (arm64)");
    expect(fetchedSince(https, mark)).toEqual([]);
    expectNothingInstalled(s, r);
  });
});

describe('manual install script checksum verification', () => {
  test('GIVEN an archive that no longer matches its published .sha256sum WHEN the script runs THEN it prints expected vs actual and installs nothing', async () => {
    // GIVEN
    const s = sandbox('tampered');
    // WHEN
    const r = await run(s, script({ releaseBaseUrl: `${https.origin}/tampered` }));
    // THEN
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`ERROR: checksum mismatch for ${archives.amd64.name}: `
      + `expected ${archives.amd64.sha256} (published), actual ${archives.tampered.sha256}`);
    expectNothingInstalled(s, r);
  });

  test('GIVEN a pinned sha256 that differs from the genuine archive WHEN the script runs THEN it prints expected vs actual and installs nothing', async () => {
    // GIVEN
    const s = sandbox('pinned');
    const pinned = 'f'.repeat(64);
    // WHEN
    const r = await run(s, script({ pinnedSha256: { amd64: pinned, arm64: archives.arm64.sha256 } }));
    // THEN
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`ERROR: checksum mismatch for ${archives.amd64.name}: expected ${pinned} (pinned), actual ${archives.amd64.sha256}`);
    expectNothingInstalled(s, r);
  });

  test('GIVEN a .sha256sum without a hash WHEN the script runs THEN it refuses to install', async () => {
    // GIVEN
    const s = sandbox('nohash');
    https.files.set(`/nohash/v${VERSION}/${archives.amd64.name}`, archives.amd64.bytes);
    https.files.set(`/nohash/v${VERSION}/${archives.amd64.name}.sha256sum`, `${archives.amd64.name}\n`);
    // WHEN
    const r = await run(s, script({ releaseBaseUrl: `${https.origin}/nohash` }));
    // THEN
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`ERROR: ${archives.amd64.name}.sha256sum has no sha256 in its first field`);
    expectNothingInstalled(s, r);
  });
});

describe('manual install script downloads', () => {
  test('GIVEN a mirror on a closed port WHEN the script runs THEN it makes the bounded number of attempts and fails naming the URL', async () => {
    // GIVEN
    const s = sandbox('unreachable');
    const base = `https://127.0.0.1:${await closedPort()}/mirror`;
    const url = `${base}/v${VERSION}/${archives.amd64.name}`;
    // WHEN
    const r = await run(s, script({ releaseBaseUrl: base }));
    // THEN
    expect(r.code).toBe(1);
    const attempts = r.stderr.split('\n').filter((l) => l.startsWith('soci-bootstrap: attempt '));
    expect(attempts).toEqual([1, 2, 3].map((n) => `soci-bootstrap: attempt ${n}/3 failed: ${url}`));
    expect(r.stderr).toContain(`soci-bootstrap: ERROR: download failed after 3 attempts: ${url}`);
    // Two pauses of retryDelaySeconds (1 s) between the three attempts, and no more waiting than that.
    expect(r.durationMs).toBeGreaterThanOrEqual(2000);
    expect(r.durationMs).toBeLessThan(8000);
    expectNothingInstalled(s, r);
  });

  test('GIVEN an HTTPS mirror that redirects to plain HTTP and allowInsecureMirror false WHEN the script runs THEN curl refuses the redirect and nothing is installed', async () => {
    // GIVEN
    const s = sandbox('redirect-refused');
    const mark = plain.accessLog.length;
    // WHEN
    const r = await run(s, script({ releaseBaseUrl: `${https.origin}/redirect`, download: { retries: 0, retryDelaySeconds: 0, connectTimeoutSeconds: 2, maxTimeSeconds: 5 } }));
    // THEN
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/curl: \(1\) Protocol "http" not supported/);
    expect(r.stderr).toContain(`download failed after 1 attempts: ${https.origin}/redirect/v${VERSION}/${archives.amd64.name}`);
    expect(fetchedSince(plain, mark)).toEqual([]);
    expectNothingInstalled(s, r);
  });

  test('GIVEN the same redirecting mirror and allowInsecureMirror true WHEN the script runs THEN it follows the redirect and installs', async () => {
    // GIVEN
    const s = sandbox('redirect-allowed');
    const mark = plain.accessLog.length;
    // WHEN
    const r = await run(s, script({ releaseBaseUrl: `${https.origin}/redirect`, allowInsecureMirror: true }));
    // THEN
    expect(r.code).toBe(0);
    expect(fetchedSince(plain, mark)).toHaveLength(2);
    expect(s.upperFiles('/usr/local')).toEqual(['bin/soci', 'bin/soci-snapshotter-grpc']);
  });

  test('GIVEN a plain-HTTP mirror and allowInsecureMirror true WHEN the script runs THEN it downloads over HTTP and installs', async () => {
    // GIVEN
    const s = sandbox('http');
    const mark = plain.accessLog.length;
    // WHEN
    const r = await run(s, script({ releaseBaseUrl: `${plain.origin}/plain`, allowInsecureMirror: true }));
    // THEN
    expect(r.code).toBe(0);
    expect(fetchedSince(plain, mark)).toEqual([
      `200 /plain/v${VERSION}/${archives.amd64.name}`,
      `200 /plain/v${VERSION}/${archives.amd64.name}.sha256sum`,
    ]);
    expect(s.upperFiles('/etc')).toEqual(ETC_FILES);
  });

  test('GIVEN a plain-HTTP mirror in a script rendered with --proto =https WHEN curl is pointed at it THEN curl refuses the protocol', async () => {
    // GIVEN: a script rendered for an HTTPS mirror whose base is then swapped to http:// in the text,
    // which is what the --proto guard exists for (the renderer itself refuses http:// without the flag).
    const s = sandbox('http-refused');
    const text = script({ download: { retries: 0, retryDelaySeconds: 0, connectTimeoutSeconds: 2, maxTimeSeconds: 5 } })
      .replace(`'${https.origin}/good'`, `'${plain.origin}/plain'`);
    expect(text).toContain(`readonly BASE_URL='${plain.origin}/plain'`);
    const mark = plain.accessLog.length;
    // WHEN
    const r = await run(s, text);
    // THEN
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/curl: \(1\) Protocol "http" not supported/);
    expect(fetchedSince(plain, mark)).toEqual([]);
    expectNothingInstalled(s, r);
  });
});

/** What a run leaves in containerd's config, parsed, with the SOCI keys nodeadm merged taken out of the original. */
function withoutSoci(toml: string): Record<string, unknown> {
  const drop = (table: Record<string, unknown>): void => {
    for (const [key, value] of Object.entries(table)) {
      if (key === 'snapshotter' && value === 'soci') delete table[key];
      else if (typeof value === 'object' && value !== null && !Array.isArray(value)) drop(value as Record<string, unknown>);
    }
  };
  const parsed = parseToml(toml) as Record<string, unknown>;
  delete (parsed.proxy_plugins as Record<string, unknown>).soci;
  drop(parsed);
  return parsed;
}

const CONTAINERD_SHAPES = {
  'schema 2 (containerd 1.7)': NODEADM_CONTAINERD_V2,
  'schema 3 (containerd 2.x)': NODEADM_CONTAINERD_V3,
  'schema 2 fragment migrated by containerd 2.x': NODEADM_CONTAINERD_MIGRATED,
};
type Shape = keyof typeof CONTAINERD_SHAPES;

interface FailureCase {
  /** What goes wrong. */
  readonly failure: string;
  /** The line that says why, on stderr and in the journal. */
  readonly reason: () => string;
  readonly run: (s: NodeSandbox) => Promise<SandboxResult>;
  /** False: the node has no /usr/bin/unpigz. */
  readonly unpigz?: boolean;
  readonly shapes: readonly Shape[];
}

const NO_RETRIES = { retries: 0, retryDelaySeconds: 0, connectTimeoutSeconds: 2, maxTimeSeconds: 5 };
const ALL_SHAPES = Object.keys(CONTAINERD_SHAPES) as Shape[];
const FAILURES: FailureCase[] = [
  {
    failure: 'a tampered archive',
    reason: () => `checksum mismatch for ${archives.amd64.name}: expected ${archives.amd64.sha256} (published), actual ${archives.tampered.sha256}`,
    run: (s) => run(s, script({ releaseBaseUrl: `${https.origin}/tampered` })),
    shapes: ALL_SHAPES,
  },
  {
    failure: 'a pinned sha256 mismatch',
    reason: () => `checksum mismatch for ${archives.amd64.name}: expected ${'f'.repeat(64)} (pinned), actual ${archives.amd64.sha256}`,
    run: (s) => run(s, script({ pinnedSha256: { amd64: 'f'.repeat(64) } })),
    shapes: ['schema 2 (containerd 1.7)', 'schema 3 (containerd 2.x)'],
  },
  {
    failure: 'an unreachable mirror',
    reason: () => 'download failed after 1 attempts: https://127.0.0.1:',
    run: async (s) => run(s, script({ releaseBaseUrl: `https://127.0.0.1:${await closedPort()}/mirror`, download: NO_RETRIES })),
    shapes: ['schema 2 (containerd 1.7)', 'schema 3 (containerd 2.x)'],
  },
  {
    failure: 'an unknown architecture',
    reason: () => "unsupported architecture 'riscv64' (uname -m)",
    run: (s) => run(s, script(), 'riscv64'),
    shapes: ['schema 2 (containerd 1.7)', 'schema 3 (containerd 2.x)'],
  },
  {
    failure: 'a missing decompressor',
    reason: () => 'decompressor /usr/bin/unpigz (decompress_streams) is not an executable file',
    run: (s) => run(s, script()),
    unpigz: false,
    shapes: ['schema 2 (containerd 1.7)', 'schema 3 (containerd 2.x)'],
  },
  {
    failure: 'an archive whose soci member is a symlink to /etc/shadow',
    reason: () => 'archive member soci is not a regular file',
    run: (s) => run(s, script({ releaseBaseUrl: `${https.origin}/symlink` })),
    shapes: ALL_SHAPES,
  },
];

describe('the nodeadm-written fixtures the rollback runs over', () => {
  /** The fragment our NodeConfig part carries, as containerd would read it. */
  const fragment = (version: ContainerdConfigVersion) => parseToml(renderContainerdSociConfig({
    version, sociRoot: DEFAULT_MANUAL_SOCI_ROOT, discardUnpackedLayers: false,
  })) as Record<string, any>;

  test.each([
    ['schema 2 (containerd 1.7)', ContainerdConfigVersion.V2, ['io.containerd.grpc.v1.cri', 'containerd']],
    ['schema 3 (containerd 2.x)', ContainerdConfigVersion.V3, ['io.containerd.cri.v1.images']],
    ['schema 2 fragment migrated by containerd 2.x', ContainerdConfigVersion.V2, ['io.containerd.cri.v1.images']],
  ] as const)('GIVEN the %s fixture THEN it carries the SOCI settings the NodeConfig fragment merges', (shape, version, criPath) => {
    const file = parseToml(CONTAINERD_SHAPES[shape]) as Record<string, any>;
    const frag = fragment(version);
    const criOf = (doc: Record<string, any>, p: readonly string[]) => p.reduce((t, k) => t[k], doc.plugins);
    const fragmentCri = criOf(frag, version === ContainerdConfigVersion.V2 ? ['io.containerd.grpc.v1.cri', 'containerd'] : ['io.containerd.cri.v1.images']);
    expect(criOf(file, criPath)).toMatchObject(fragmentCri);
    expect(file.proxy_plugins.soci).toMatchObject(frag.proxy_plugins.soci);
  });

  test('GIVEN the kubelet drop-in fixture THEN it points kubelet at SOCI\'s socket as the NodeConfig part does', () => {
    expect(JSON.parse(NODEADM_KUBELET_DROP_IN).imageServiceEndpoint).toBe(SOCI_IMAGE_SERVICE_ENDPOINT);
  });
});

interface RollbackRun {
  readonly s: NodeSandbox;
  readonly r: SandboxResult;
}

describe('manual install script rollback on a node nodeadm already configured for SOCI', () => {
  const cases = FAILURES.flatMap((c) => c.shapes.map((shape) => [c.failure, shape, c] as const));
  const runs = new Map<string, RollbackRun>();

  beforeAll(async () => {
    // Independent nodes: a few side by side (the runs mostly wait on processes starting).
    const queue = cases.map(([failure, shape, c], i) => async () => {
      const s = sandbox(`rollback-${i}`, {
        '/etc': { [CONTAINERD_CONFIG_REL]: CONTAINERD_SHAPES[shape], [KUBELET_DROP_IN_REL]: NODEADM_KUBELET_DROP_IN, [KUBELET_CONFIG_REL]: NODEADM_KUBELET_CONFIG },
      }, c.unpigz ?? true);
      runs.set(`${failure}|${shape}`, { s, r: await c.run(s) });
    });
    const worker = async (): Promise<void> => {
      for (let next = queue.shift(); next; next = queue.shift()) await next();
    };
    await Promise.all([worker(), worker(), worker()]);
  }, 120_000);

  test.each(cases)('GIVEN %s and containerd config in %s WHEN the script runs THEN it says why, takes SOCI out of containerd and kubelet, and leaves nothing of SOCI', (failure, shape, c) => {
    const { s, r } = runs.get(`${failure}|${shape}`)!;
    // THEN: the reason, then the rollback, on stderr and in the journal; the status stays non-zero (cloud-init reports it).
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`soci-bootstrap: ERROR: ${c.reason()}`);
    expect(r.stderr).not.toMatch(/ERROR: line \d+:/); // a reason of its own, not a failed command
    expect(r.stderr).toContain(`soci-bootstrap: ERROR: SOCI ${VERSION} not installed (exit 1); the node joins without it`);
    expect(r.stderr).toContain('soci-bootstrap: removed SOCI from /etc/containerd/config.toml');
    expect(r.stderr).toContain(`soci-bootstrap: removed SOCI from /etc/${KUBELET_DROP_IN_REL}`);
    expect(r.loggerCalls).toContain('-t soci-bootstrap -- removed SOCI from /etc/containerd/config.toml');

    // Only the two files nodeadm wrote for SOCI changed; kubelet's own config.json never mentioned SOCI.
    expect(s.allWrittenFiles()).toEqual([`/etc/${CONTAINERD_CONFIG_REL}`, `/etc/${KUBELET_DROP_IN_REL}`]);

    const containerd = s.readUpper('/etc', CONTAINERD_CONFIG_REL);
    expect(containerd.mode).toBe(0o644);
    expect(containerd.content).not.toMatch(/soci/i);
    expect(parseToml(containerd.content)).toEqual(withoutSoci(CONTAINERD_SHAPES[shape]));

    const kubelet = s.readUpper('/etc', KUBELET_DROP_IN_REL);
    expect(kubelet.mode).toBe(0o644);
    expect(kubelet.content).not.toMatch(/soci/i);
    const { imageServiceEndpoint, ...rest } = JSON.parse(NODEADM_KUBELET_DROP_IN);
    expect(imageServiceEndpoint).toMatch(/soci/);
    expect(JSON.parse(kubelet.content)).toEqual(rest);

    // Nothing of SOCI enabled or installed.
    expect(r.systemctlCalls).toEqual([]);
    expect(s.upperFiles('/usr/local')).toEqual([]);
  });
});

describe('manual install script rollback of a half-finished install', () => {
  test('GIVEN systemctl enable fails after the files are in place WHEN the script runs THEN units, binaries and config are removed, systemd reloaded and nodeadm\'s SOCI settings undone', async () => {
    // GIVEN
    const s = sandbox('half-installed', { '/etc': { [CONTAINERD_CONFIG_REL]: NODEADM_CONTAINERD_V3, [KUBELET_DROP_IN_REL]: NODEADM_KUBELET_DROP_IN } });
    // WHEN
    const r = await run(s, script(), 'x86_64', 'enable soci-snapshotter.socket');
    // THEN: the unexpected failure is named, then everything is rolled back.
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/soci-bootstrap: ERROR: line \d+: systemctl enable soci-snapshotter\.socket\n/);
    expect(r.systemctlCalls).toEqual(['daemon-reload', 'enable soci-snapshotter.socket', 'disable soci-snapshotter.socket', 'daemon-reload']);
    expect(s.allWrittenFiles()).toEqual([`/etc/${CONTAINERD_CONFIG_REL}`, `/etc/${KUBELET_DROP_IN_REL}`]);
    expect(s.readUpper('/etc', CONTAINERD_CONFIG_REL).content).not.toMatch(/soci/i);
    expect(s.readUpper('/etc', KUBELET_DROP_IN_REL).content).not.toMatch(/soci/i);
  }, 30_000);

  test('GIVEN nodeadm\'s SOCI settings and a good release WHEN the script succeeds THEN containerd\'s and kubelet\'s files stay as nodeadm wrote them', async () => {
    // GIVEN
    const s = sandbox('keeps-nodeadm', { '/etc': { [CONTAINERD_CONFIG_REL]: NODEADM_CONTAINERD_V2, [KUBELET_DROP_IN_REL]: NODEADM_KUBELET_DROP_IN } });
    // WHEN
    const r = await run(s, script());
    // THEN
    expect(r.code).toBe(0);
    expect(s.upperFiles('/etc')).toEqual(ETC_FILES);
  }, 30_000);
});
