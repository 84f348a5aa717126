/**
 * Runs the native tuning part for real (as root, private mount namespace,
 * overlays) over files placed where nodeadm-config leaves them, then boots
 * the same disk again the way systemd would: nodeadm-config rewrites the
 * files, cloud-init does not rerun the part, the installed unit runs.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  NATIVE_TUNED_CONFIG_PATH, NATIVE_TUNING_BIN, NATIVE_TUNING_UNIT, NATIVE_TUNING_UNIT_PATH, renderNativeTuningScript,
} from '../../lib/bootstrap/scripts/native-tuning-script';
import { NodeSandbox, SandboxResult, assertNodeSandboxSupported } from '../support/node-sandbox';
import { inspectWithPython } from '../support/python';
import {
  CONTAINERD_V2_CONFIG, CONTAINERD_V3_CONFIG, TUNED_SOCI_CONFIG_TOML, nodeadmDefaultSociConfigToml,
} from '../support/soci-config-fixtures';

const FAKE_SOCI = { content: '#!/bin/sh\necho "soci-snapshotter-grpc (AMI stub)"\n', mode: 0o755 };
const FAKE_UNPIGZ = { content: '#!/bin/sh\nexec cat\n', mode: 0o755 };
const SOCI_CONFIG = '/etc/soci-snapshotter-grpc/config.toml';
/** What the part installs on every node it runs on, whatever the node's state. */
const INSTALLED = [NATIVE_TUNED_CONFIG_PATH, NATIVE_TUNING_UNIT_PATH, NATIVE_TUNING_BIN];
const sandboxes: NodeSandbox[] = [];

beforeAll(() => assertNodeSandboxSupported());
afterAll(() => sandboxes.forEach((s) => s.dispose()));

interface NodeOptions {
  readonly binary?: boolean;
  readonly sociConfig?: boolean;
  readonly containerd?: string;
  /** /usr/bin/unpigz (TUNED_SOCI_CONFIG_TOML's gzip decompressor): executable, not executable, or absent. */
  readonly unpigz?: 'executable' | 'not-executable' | 'absent';
}

/** A node as nodeadm-config leaves it: the AMI's SOCI binary and unpigz, SOCI's and containerd's config. */
function node(name: string, opts: NodeOptions = {}): NodeSandbox {
  const etc: Record<string, string> = {};
  if (opts.sociConfig ?? true) etc['soci-snapshotter-grpc/config.toml'] = nodeadmDefaultSociConfigToml();
  etc['containerd/config.toml'] = opts.containerd ?? CONTAINERD_V3_CONFIG;
  const bin: Record<string, { content: string; mode: number }> = {};
  if (opts.binary ?? true) bin['soci-snapshotter-grpc'] = FAKE_SOCI;
  const unpigz = opts.unpigz ?? 'executable';
  if (unpigz !== 'absent') bin.unpigz = { ...FAKE_UNPIGZ, mode: unpigz === 'executable' ? 0o755 : 0o644 };
  const s = new NodeSandbox(name, { '/etc': etc, '/usr/bin': bin });
  sandboxes.push(s);
  return s;
}

const part = (discardUnpackedLayers: boolean, configToml = TUNED_SOCI_CONFIG_TOML): string =>
  renderNativeTuningScript({ configToml, discardUnpackedLayers });

/** First boot: cloud-final runs the user-data part. */
const firstBoot = (s: NodeSandbox, discardUnpackedLayers: boolean): Promise<SandboxResult> =>
  s.run({ script: part(discardUnpackedLayers) });

/** Content of a file as the node sees it: written by a run (upper dir), else the nodeadm fixture. */
const etcFile = (s: NodeSandbox, abs: string) => s.readUpper('/etc', abs.slice('/etc/'.length));

/** The unit's `ExecStart=`, read from the unit file the part installed. */
function installedExecStart(s: NodeSandbox): string {
  const unit = etcFile(s, NATIVE_TUNING_UNIT_PATH).content;
  let section = '';
  const starts: string[] = [];
  for (const line of unit.split('\n')) {
    if (/^\[.*\]$/.test(line)) section = line;
    else if (section === '[Service]' && line.startsWith('ExecStart=')) starts.push(line.slice('ExecStart='.length));
  }
  expect(starts).toHaveLength(1);
  return starts[0];
}

/** What nodeadm-config does at every boot: writes its own SOCI and containerd config again. */
function nodeadmConfigRewrites(s: NodeSandbox, containerd = CONTAINERD_V3_CONFIG): void {
  for (const [rel, content] of [['soci-snapshotter-grpc/config.toml', nodeadmDefaultSociConfigToml()], ['containerd/config.toml', containerd]]) {
    const file = path.join(s.upperDir('/etc'), rel);
    fs.writeFileSync(file, content);
    fs.chmodSync(file, 0o644);
  }
}

test('fixture: nodeadm default config is the FastImagePull one (discard true, 20 downloads per image)', () => {
  const toml = nodeadmDefaultSociConfigToml();
  expect(toml).toContain('[pull_modes.parallel_pull_unpack]\nenable = true\n');
  expect(toml).toContain('discard_unpacked_layers = true\n');
  expect(toml).toContain('max_concurrent_downloads_per_image = 20\n');
  expect(toml).toContain('args = ["-d","-c"]\n');
});

describe('native tuning part on the first boot, FastImagePull in effect', () => {
  test('GIVEN nodeadm-written configs and discardUnpackedLayers false WHEN the part runs THEN it installs and enables the unit, SOCI config is replaced and containerd discard flipped to false', async () => {
    // GIVEN
    const s = node('keep-layers');
    // WHEN
    const r = await firstBoot(s, false);
    // THEN
    expect(r.stderr).toBe([
      'soci-bootstrap: wrote /etc/soci-snapshotter-grpc/config.toml',
      'soci-bootstrap: set discard_unpacked_layers = false in /etc/containerd/config.toml',
      '',
    ].join('\n'));
    expect(r.code).toBe(0);
    expect(r.systemctlCalls).toEqual([`enable ${NATIVE_TUNING_UNIT}`]);
    expect(s.allWrittenFiles()).toEqual([...INSTALLED, '/etc/containerd/config.toml', SOCI_CONFIG].sort());
    expect(etcFile(s, SOCI_CONFIG)).toEqual({ mode: 0o644, content: TUNED_SOCI_CONFIG_TOML });
    expect(etcFile(s, NATIVE_TUNED_CONFIG_PATH)).toEqual({ mode: 0o644, content: TUNED_SOCI_CONFIG_TOML });
    expect(etcFile(s, NATIVE_TUNING_UNIT_PATH).mode).toBe(0o644);
    expect(s.readUpper('/usr/local', NATIVE_TUNING_BIN.slice('/usr/local/'.length)).mode).toBe(0o755);
    expect(etcFile(s, '/etc/containerd/config.toml')).toEqual({
      mode: 0o644,
      content: CONTAINERD_V3_CONFIG.replace('  discard_unpacked_layers = true\n', '  discard_unpacked_layers = false\n'),
    });
    expect(r.loggerCalls).toEqual([
      '-t soci-bootstrap -- wrote /etc/soci-snapshotter-grpc/config.toml',
      '-t soci-bootstrap -- set discard_unpacked_layers = false in /etc/containerd/config.toml',
    ]);
  });

  test('GIVEN discardUnpackedLayers true WHEN the part runs THEN only the SOCI config is replaced', async () => {
    // GIVEN
    const s = node('discard');
    // WHEN
    const r = await firstBoot(s, true);
    // THEN
    expect(r.code).toBe(0);
    expect(s.allWrittenFiles()).toEqual([...INSTALLED, SOCI_CONFIG].sort());
    expect(etcFile(s, SOCI_CONFIG).content).toBe(TUNED_SOCI_CONFIG_TOML);
  });

  test('GIVEN a containerd v2 config with a tab-indented key and no spaces around = WHEN the part keeps layers THEN the key becomes false', async () => {
    // GIVEN
    const s = node('v2', { containerd: CONTAINERD_V2_CONFIG });
    // WHEN
    const r = await firstBoot(s, false);
    // THEN
    expect(r.code).toBe(0);
    expect(etcFile(s, '/etc/containerd/config.toml').content)
      .toBe(CONTAINERD_V2_CONFIG.replace('\tdiscard_unpacked_layers=true\n', '\tdiscard_unpacked_layers=false\n'));
  });

  test('GIVEN a containerd config without the key WHEN the part keeps layers THEN containerd config is left alone and the default is logged', async () => {
    // GIVEN
    const s = node('no-key', { containerd: 'version = 3\n[plugins.\'io.containerd.cri.v1.images\']\n  snapshotter = "soci"\n' });
    // WHEN
    const r = await firstBoot(s, false);
    // THEN
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('discard_unpacked_layers not set in /etc/containerd/config.toml; containerd keeps unpacked layers by default');
    expect(s.allWrittenFiles()).toEqual([...INSTALLED, SOCI_CONFIG].sort());
  });

  test('GIVEN a node the part already tuned WHEN it runs again THEN it exits 0 with the same files', async () => {
    // GIVEN
    const s = node('rerun');
    expect((await firstBoot(s, false)).code).toBe(0);
    const snapshot = () => s.allWrittenFiles().map((f) => (f.startsWith('/etc/') ? etcFile(s, f) : s.readUpper('/usr/local', f.slice('/usr/local/'.length))));
    const before = snapshot();
    // WHEN
    const r = await firstBoot(s, false);
    // THEN
    expect(r.code).toBe(0);
    expect(snapshot()).toEqual(before);
  });
});

describe('native tuning at every later boot (cloud-init does not rerun the part)', () => {
  test('GIVEN a tuned node WHEN it reboots, nodeadm-config rewrites both configs and systemd runs the installed unit THEN the node is tuned again', async () => {
    // GIVEN boot 1: nodeadm-written configs, then the user-data part
    const s = node('reboot');
    const boot1 = await firstBoot(s, false);
    expect(boot1.code).toBe(0);
    const afterBoot1 = etcFile(s, SOCI_CONFIG).content;
    const containerdAfterBoot1 = etcFile(s, '/etc/containerd/config.toml').content;

    // WHEN boot 2: nodeadm-config writes its defaults again, and systemd runs what the unit says
    nodeadmConfigRewrites(s);
    const rewritten = etcFile(s, SOCI_CONFIG).content;
    const execStart = installedExecStart(s);
    const boot2 = await s.run({ script: `#!/bin/bash\nexec ${execStart}\n` });

    // THEN
    expect(execStart).toBe(NATIVE_TUNING_BIN);
    expect(boot2.code).toBe(0);
    expect(boot2.systemctlCalls).toEqual([]);
    expect(boot2.stderr).toBe(boot1.stderr);
    const [tuned, boot1Config, nodeadmConfig, boot2Config, containerd1, containerd2] = inspectWithPython({
      toml: [TUNED_SOCI_CONFIG_TOML, afterBoot1, rewritten, etcFile(s, SOCI_CONFIG).content,
        containerdAfterBoot1, etcFile(s, '/etc/containerd/config.toml').content],
    }).toml.map((t) => {
      if (!t.ok) throw new Error(`tomllib rejected a config: ${t.error}`);
      return t.value;
    });
    expect(boot1Config).toEqual(tuned);
    expect(nodeadmConfig.pull_modes.parallel_pull_unpack).toMatchObject({ discard_unpacked_layers: true, max_concurrent_downloads_per_image: 20 });
    expect(boot2Config).toEqual(tuned);
    expect(boot2Config.pull_modes.parallel_pull_unpack).toMatchObject({ discard_unpacked_layers: false, max_concurrent_downloads_per_image: 10 });
    expect(containerd2).toEqual(containerd1);
    expect(containerd2.plugins['io.containerd.cri.v1.images'].discard_unpacked_layers).toBe(false);
  });

  test('GIVEN the unit file the part installed WHEN systemctl enables it in an offline root THEN it is wanted by multi-user.target, as nodeadm\'s units are', async () => {
    // GIVEN
    const s = node('enable');
    const boot = await firstBoot(s, true);
    expect(boot.code).toBe(0);
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'soci-enable-'));
    try {
      const unitDir = path.join(root, 'etc/systemd/system');
      fs.mkdirSync(unitDir, { recursive: true });
      fs.writeFileSync(path.join(unitDir, NATIVE_TUNING_UNIT), etcFile(s, NATIVE_TUNING_UNIT_PATH).content);
      // WHEN (the real systemctl, with the unit name the part enables)
      const [call] = boot.systemctlCalls;
      const r = spawnSync('systemctl', [`--root=${root}`, ...call.split(' ')], { encoding: 'utf8' });
      // THEN
      expect(r.status).toBe(0);
      expect(fs.readlinkSync(path.join(unitDir, 'multi-user.target.wants', NATIVE_TUNING_UNIT))).toBe(NATIVE_TUNING_UNIT_PATH);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('native tuning with a configured decompressor that is not there', () => {
  test.each([
    ['absent', 'absent'],
    ['not executable (mode 0644)', 'not-executable'],
  ] as const)('GIVEN /usr/bin/unpigz %s WHEN the part runs THEN nodeadm\'s config.toml and containerd config are kept and the path is logged', async (_label, unpigz) => {
    // GIVEN (the sandbox's /usr/bin is the host's under the fixtures, so "absent" needs a host without unpigz)
    if (unpigz === 'absent') expect(fs.existsSync('/usr/bin/unpigz')).toBe(false);
    const s = node(`unpigz-${unpigz}`, { unpigz });
    // WHEN
    const r = await firstBoot(s, false);
    // THEN
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('soci-bootstrap: decompressor /usr/bin/unpigz is not an executable file; SOCI would refuse to start, '
      + "and containerd with it, so /etc/soci-snapshotter-grpc/config.toml keeps nodeadm's settings\n");
    expect(s.allWrittenFiles()).toEqual([...INSTALLED].sort());
    expect(r.systemctlCalls).toEqual([`enable ${NATIVE_TUNING_UNIT}`]);
  });

  test('GIVEN a second decompressor (zstd) configured at a path that does not exist WHEN the part runs THEN that path is named and nothing is rewritten', async () => {
    // GIVEN
    const s = node('zstd-missing');
    const config = `${TUNED_SOCI_CONFIG_TOML}\n[pull_modes.parallel_pull_unpack.decompress_streams.zstd]\npath = "/usr/local/bin/zstd-missing"\nargs = ["-d", "-c"]\n`;
    // WHEN
    const r = await s.run({ script: part(false, config) });
    // THEN
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^soci-bootstrap: decompressor \/usr\/local\/bin\/zstd-missing is not an executable file;/);
    expect(s.allWrittenFiles()).toEqual([...INSTALLED].sort());
  });
});

describe('native tuning where SOCI is not in effect', () => {
  test('GIVEN an AMI without /usr/bin/soci-snapshotter-grpc WHEN the part runs THEN it exits 0, says SOCI is not on this AMI and rewrites nothing', async () => {
    // GIVEN
    const s = node('no-binary', { binary: false });
    // WHEN
    const r = await firstBoot(s, false);
    // THEN
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('soci-bootstrap: SOCI is not on this AMI (/usr/bin/soci-snapshotter-grpc missing; '
      + 'EKS AL2023 AMI v20250821 or later has it); node stays on its default snapshotter\n');
    expect(s.allWrittenFiles()).toEqual([...INSTALLED].sort());
  });

  test('GIVEN nodeadm did not write config.toml (gate unset or instance too small) WHEN the part runs THEN it exits 0, says why and rewrites nothing', async () => {
    // GIVEN
    const s = node('no-config', { sociConfig: false });
    // WHEN
    const r = await firstBoot(s, false);
    // THEN
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('soci-bootstrap: /etc/soci-snapshotter-grpc/config.toml not written by nodeadm '
      + '(FastImagePull not set, or ignored below 4 vCPU / 7 GiB); node stays on its default snapshotter\n');
    expect(s.allWrittenFiles()).toEqual([...INSTALLED].sort());
  });
});
