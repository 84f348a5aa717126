/**
 * Runs the native tuning script for real (as root, private mount namespace,
 * overlays) over files placed where nodeadm-config leaves them.
 */
import { renderNativeTuningScript } from '../../lib/bootstrap/scripts/native-tuning-script';
import { NodeSandbox, SandboxResult, assertNodeSandboxSupported } from '../support/node-sandbox';
import {
  CONTAINERD_V2_CONFIG, CONTAINERD_V3_CONFIG, TUNED_SOCI_CONFIG_TOML, nodeadmDefaultSociConfigToml,
} from '../support/soci-config-fixtures';

const FAKE_SOCI = { content: '#!/bin/sh\necho "soci-snapshotter-grpc (AMI stub)"\n', mode: 0o755 };
const sandboxes: NodeSandbox[] = [];

beforeAll(() => assertNodeSandboxSupported());
afterAll(() => sandboxes.forEach((s) => s.dispose()));

/** A node as nodeadm-config leaves it: the AMI's SOCI binary, SOCI's and containerd's config. */
function node(name: string, opts: { binary?: boolean; sociConfig?: boolean; containerd?: string } = {}): NodeSandbox {
  const etc: Record<string, string> = {};
  if (opts.sociConfig ?? true) etc['soci-snapshotter-grpc/config.toml'] = nodeadmDefaultSociConfigToml();
  etc['containerd/config.toml'] = opts.containerd ?? CONTAINERD_V3_CONFIG;
  const s = new NodeSandbox(name, {
    '/etc': etc,
    '/usr/bin': (opts.binary ?? true) ? { 'soci-snapshotter-grpc': FAKE_SOCI } : {},
  });
  sandboxes.push(s);
  return s;
}

const run = (s: NodeSandbox, discardUnpackedLayers: boolean): Promise<SandboxResult> =>
  s.run({ script: renderNativeTuningScript({ configToml: TUNED_SOCI_CONFIG_TOML, discardUnpackedLayers }) });

test('fixture: nodeadm default config is the FastImagePull one (discard true, 20 downloads per image)', () => {
  const toml = nodeadmDefaultSociConfigToml();
  expect(toml).toContain('[pull_modes.parallel_pull_unpack]\nenable = true\n');
  expect(toml).toContain('discard_unpacked_layers = true\n');
  expect(toml).toContain('max_concurrent_downloads_per_image = 20\n');
  expect(toml).toContain('args = ["-d","-c"]\n');
});

describe('native tuning script with FastImagePull in effect', () => {
  test('GIVEN nodeadm-written configs and discardUnpackedLayers false WHEN the script runs THEN SOCI config is replaced and containerd discard flipped to false', async () => {
    // GIVEN
    const s = node('keep-layers');
    // WHEN
    const r = await run(s, false);
    // THEN
    expect(r.stderr).toBe([
      'soci-bootstrap: wrote /etc/soci-snapshotter-grpc/config.toml',
      'soci-bootstrap: set discard_unpacked_layers = false in /etc/containerd/config.toml',
      '',
    ].join('\n'));
    expect(r.code).toBe(0);
    expect(s.allWrittenFiles()).toEqual(['/etc/containerd/config.toml', '/etc/soci-snapshotter-grpc/config.toml']);
    expect(s.readUpper('/etc', 'soci-snapshotter-grpc/config.toml')).toEqual({ mode: 0o644, content: TUNED_SOCI_CONFIG_TOML });
    expect(s.readUpper('/etc', 'containerd/config.toml')).toEqual({
      mode: 0o644,
      content: CONTAINERD_V3_CONFIG.replace('  discard_unpacked_layers = true\n', '  discard_unpacked_layers = false\n'),
    });
    expect(r.loggerCalls).toEqual([
      '-t soci-bootstrap -- wrote /etc/soci-snapshotter-grpc/config.toml',
      '-t soci-bootstrap -- set discard_unpacked_layers = false in /etc/containerd/config.toml',
    ]);
  });

  test('GIVEN discardUnpackedLayers true WHEN the script runs THEN only the SOCI config is replaced', async () => {
    // GIVEN
    const s = node('discard');
    // WHEN
    const r = await run(s, true);
    // THEN
    expect(r.code).toBe(0);
    expect(s.allWrittenFiles()).toEqual(['/etc/soci-snapshotter-grpc/config.toml']);
    expect(s.readUpper('/etc', 'soci-snapshotter-grpc/config.toml').content).toBe(TUNED_SOCI_CONFIG_TOML);
  });

  test('GIVEN a containerd v2 config with a tab-indented key and no spaces around = WHEN the script keeps layers THEN the key becomes false', async () => {
    // GIVEN
    const s = node('v2', { containerd: CONTAINERD_V2_CONFIG });
    // WHEN
    const r = await run(s, false);
    // THEN
    expect(r.code).toBe(0);
    expect(s.readUpper('/etc', 'containerd/config.toml').content)
      .toBe(CONTAINERD_V2_CONFIG.replace('\tdiscard_unpacked_layers=true\n', '\tdiscard_unpacked_layers=false\n'));
  });

  test('GIVEN a containerd config without the key WHEN the script keeps layers THEN containerd config is left alone and the default is logged', async () => {
    // GIVEN
    const s = node('no-key', { containerd: 'version = 3\n[plugins.\'io.containerd.cri.v1.images\']\n  snapshotter = "soci"\n' });
    // WHEN
    const r = await run(s, false);
    // THEN
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('discard_unpacked_layers not set in /etc/containerd/config.toml; containerd keeps unpacked layers by default');
    expect(s.allWrittenFiles()).toEqual(['/etc/soci-snapshotter-grpc/config.toml']);
  });

  test('GIVEN a node the script already tuned WHEN it runs again THEN it exits 0 with the same files', async () => {
    // GIVEN
    const s = node('rerun');
    expect((await run(s, false)).code).toBe(0);
    const before = s.allWrittenFiles().map((f) => s.readUpper('/etc', f.slice('/etc/'.length)));
    // WHEN
    const r = await run(s, false);
    // THEN
    expect(r.code).toBe(0);
    expect(s.allWrittenFiles().map((f) => s.readUpper('/etc', f.slice('/etc/'.length)))).toEqual(before);
  });
});

describe('native tuning script where SOCI is not in effect', () => {
  test('GIVEN an AMI without /usr/bin/soci-snapshotter-grpc WHEN the script runs THEN it exits 0, says SOCI is not on this AMI and writes nothing', async () => {
    // GIVEN
    const s = node('no-binary', { binary: false });
    // WHEN
    const r = await run(s, false);
    // THEN
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('soci-bootstrap: SOCI is not on this AMI (/usr/bin/soci-snapshotter-grpc missing; '
      + 'EKS AL2023 AMI v20250821 or later has it); node stays on its default snapshotter\n');
    expect(s.allWrittenFiles()).toEqual([]);
  });

  test('GIVEN nodeadm did not write config.toml (gate unset or instance too small) WHEN the script runs THEN it exits 0, says why and writes nothing', async () => {
    // GIVEN
    const s = node('no-config', { sociConfig: false });
    // WHEN
    const r = await run(s, false);
    // THEN
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('soci-bootstrap: /etc/soci-snapshotter-grpc/config.toml not written by nodeadm '
      + '(FastImagePull not set, or ignored below 4 vCPU / 7 GiB); node stays on its default snapshotter\n');
    expect(s.allWrittenFiles()).toEqual([]);
  });
});
