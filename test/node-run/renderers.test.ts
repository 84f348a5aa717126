/**
 * Static checks of the rendered bootstrap scripts: shellcheck, bash -n,
 * systemd-analyze verify on the units, the config.toml heredoc shape, input
 * validation and size.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ConfigError } from '../../lib/errors';
import { DEFAULT_MANUAL_SOCI_ROOT, SOCI_RELEASE_BASE_URL } from '../../lib/bootstrap/soci-facts';
import {
  ManualInstallScriptInput, manualInstallUnitFiles, renderManualInstallScript,
} from '../../lib/bootstrap/scripts/manual-install-script';
import {
  NATIVE_TUNING_BIN, NATIVE_TUNING_UNIT, NATIVE_TUNING_UNIT_FILE, renderNativeTuningRunner, renderNativeTuningScript,
} from '../../lib/bootstrap/scripts/native-tuning-script';
import { shQuote } from '../../lib/bootstrap/scripts/shell';
import { TUNED_SOCI_CONFIG_TOML, nodeadmDefaultSociConfigToml } from '../support/soci-config-fixtures';

const SHA_A = 'a'.repeat(64);
const SHA_B = 'B'.repeat(64);

const BASE: ManualInstallScriptInput = {
  sociVersion: '0.15.0',
  releaseBaseUrl: SOCI_RELEASE_BASE_URL,
  pinnedSha256: {},
  sociRoot: DEFAULT_MANUAL_SOCI_ROOT,
  configToml: TUNED_SOCI_CONFIG_TOML,
  download: { retries: 4, retryDelaySeconds: 5, connectTimeoutSeconds: 10, maxTimeSeconds: 300 },
  allowInsecureMirror: false,
};
const manual = (o: Partial<ManualInstallScriptInput> = {}) => renderManualInstallScript({ ...BASE, ...o });

const VARIANTS: Record<string, string> = {
  'manual, defaults': manual(),
  'manual, both pins': manual({ pinnedSha256: { amd64: SHA_A, arm64: SHA_B } }),
  'manual, insecure mirror with shell metacharacters in the URL': manual({
    releaseBaseUrl: 'http://artifacts.example.internal:8081/artifactory/soci-x&y=(1);!', allowInsecureMirror: true,
  }),
  'manual, no retries': manual({ download: { retries: 0, retryDelaySeconds: 0, connectTimeoutSeconds: 1, maxTimeSeconds: 1 } }),
  'native, keep layers': renderNativeTuningScript({ configToml: TUNED_SOCI_CONFIG_TOML, discardUnpackedLayers: false }),
  'native, discard layers': renderNativeTuningScript({ configToml: nodeadmDefaultSociConfigToml(), discardUnpackedLayers: true }),
};

/** The config.toml exactly as the validator extracts it: between `<<'SOCI_CONFIG_TOML'` and the closing line. */
function extractConfig(script: string): string | undefined {
  const lines = script.split('\n');
  const start = lines.findIndex((l) => l.endsWith(`<<'SOCI_CONFIG_TOML'`));
  const end = lines.indexOf('SOCI_CONFIG_TOML', start + 1);
  return start < 0 || end < 0 ? undefined : `${lines.slice(start + 1, end).join('\n')}\n`;
}

describe.each(Object.entries(VARIANTS))('rendered script: %s', (_name, script) => {
  test('GIVEN the script WHEN shellcheck runs THEN it reports nothing', () => {
    const r = spawnSync('shellcheck', ['--shell=bash', '--severity=style', '-'], { input: script, encoding: 'utf8' });
    expect(r.error).toBeUndefined();
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  test('GIVEN the script WHEN bash -n parses it THEN it is valid', () => {
    const r = spawnSync('bash', ['-n'], { input: script, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  test('GIVEN the script THEN it is LF-only, starts with #!/bin/bash and sets strict mode', () => {
    expect(script.startsWith('#!/bin/bash\n')).toBe(true);
    expect(script).toMatch(/^set -E?euo pipefail$/m);
    expect(script).not.toMatch(/\r/);
    expect(script.endsWith('\n')).toBe(true);
  });

  test('GIVEN the script THEN the config.toml heredoc uses the SOCI_CONFIG_TOML delimiter exactly once', () => {
    expect(script.match(/<<'SOCI_CONFIG_TOML'$/gm)).toHaveLength(1);
    expect(script.match(/^SOCI_CONFIG_TOML$/gm)).toHaveLength(1);
  });
});

describe('config.toml heredoc', () => {
  test('GIVEN a config WHEN either script is rendered THEN the validator extraction returns it unchanged', () => {
    expect(extractConfig(manual())).toBe(TUNED_SOCI_CONFIG_TOML);
    const nodeadm = nodeadmDefaultSociConfigToml();
    expect(extractConfig(renderNativeTuningScript({ configToml: nodeadm, discardUnpackedLayers: true }))).toBe(nodeadm);
  });

  test('GIVEN a config with shell metacharacters WHEN rendered THEN they stay literal inside the quoted heredoc', () => {
    const toml = 'x = "$(touch /pwned) `id` ${HOME} \\\\ \'q\'"\n';
    expect(extractConfig(manual({ configToml: toml }))).toBe(toml);
  });

  test('GIVEN a config without a trailing newline WHEN rendered THEN the written file ends with one newline', () => {
    expect(extractConfig(manual({ configToml: 'debug = false' }))).toBe('debug = false\n');
  });
});

describe('rendered systemd units', () => {
  let dir: string;
  beforeAll(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'soci-units-')); });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** Writes the units the script writes (with ExecStart pointed at an existing stub) and verifies them by name. */
  function verify(units: Record<string, string>): string {
    const unitDir = path.join(dir, `u${fs.readdirSync(dir).length}`);
    const daemon = path.join(unitDir, 'bin', 'soci-snapshotter-grpc');
    fs.mkdirSync(path.dirname(daemon), { recursive: true });
    fs.writeFileSync(daemon, '#!/bin/sh\n', { mode: 0o755 });
    for (const [file, body] of Object.entries(units)) {
      const target = path.join(unitDir, path.relative('/etc/systemd/system', file));
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, body.replace('ExecStart=/usr/local/bin/soci-snapshotter-grpc ', `ExecStart=${daemon} `));
    }
    // The drop-in extends containerd.service, which this machine does not have.
    fs.writeFileSync(path.join(unitDir, 'containerd.service'), '[Unit]\nDescription=containerd\n\n[Service]\nExecStart=/bin/sh -c true\n');
    const r = spawnSync('systemd-analyze', ['verify', 'soci-snapshotter.service', 'soci-snapshotter.socket', 'containerd.service'], {
      encoding: 'utf8', env: { ...process.env, SYSTEMD_UNIT_PATH: `${unitDir}:` },
    });
    return `${r.stdout}${r.stderr}`;
  }

  test('GIVEN the service, socket and containerd drop-in WHEN systemd-analyze verify runs THEN its output is empty', () => {
    expect(verify(manualInstallUnitFiles(DEFAULT_MANUAL_SOCI_ROOT))).toBe('');
  });

  test('GIVEN a broken drop-in WHEN the same check runs THEN it reports it (the check reads drop-ins)', () => {
    const units = manualInstallUnitFiles(DEFAULT_MANUAL_SOCI_ROOT);
    const dropIn = '/etc/systemd/system/containerd.service.d/10-soci-snapshotter.conf';
    expect(verify({ ...units, [dropIn]: `${units[dropIn]}Type=bogus\n` })).toMatch(/Failed to parse service type, ignoring: bogus/);
  });

  test('GIVEN the rendered script THEN it writes exactly these unit files with these contents', () => {
    const script = manual({ sociRoot: '/var/lib/soci-snapshotter-grpc' });
    for (const [file, body] of Object.entries(manualInstallUnitFiles('/var/lib/soci-snapshotter-grpc'))) {
      const at = `write_file "$U${file.slice('/etc/systemd/system'.length)}" <<'SOCI_UNIT'\n${body}SOCI_UNIT\n`;
      expect(script).toContain(at);
    }
    expect(script).toContain('--root /var/lib/soci-snapshotter-grpc --config /etc/soci-snapshotter-grpc/config.toml\n');
  });
});

describe('renderer input validation', () => {
  const bad: [string, Partial<ManualInstallScriptInput>][] = [
    ['sociVersion', { sociVersion: 'v0.15.0' }],
    ['sociVersion', { sociVersion: '0.15.0; reboot' }],
    ['releaseBaseUrl', { releaseBaseUrl: "https://example.com/it's" }],
    ['releaseBaseUrl', { releaseBaseUrl: 'https://example.com/a b' }],
    ['releaseBaseUrl', { releaseBaseUrl: 'https://example.com/\nreboot' }],
    ['releaseBaseUrl', { releaseBaseUrl: 'https://example.com/' }],
    ['releaseBaseUrl', { releaseBaseUrl: 'ftp://example.com' }],
    ['releaseBaseUrl', { releaseBaseUrl: 'https://example.com/soci?token=x' }],
    ['releaseBaseUrl', { releaseBaseUrl: 'https://example.com/a`id`' }],
    ['releaseBaseUrl', { releaseBaseUrl: 'https://example.com/$(id)' }],
    ['releaseBaseUrl', { releaseBaseUrl: 'http://mirror.internal' }],
    ['pinnedSha256.amd64', { pinnedSha256: { amd64: 'abc' } }],
    ['pinnedSha256.arm64', { pinnedSha256: { arm64: `${SHA_A}'` } }],
    ['sociRoot', { sociRoot: 'var/lib/soci' }],
    ['sociRoot', { sociRoot: '/var/lib/soci root' }],
    ['sociRoot', { sociRoot: '/var/lib/../etc' }],
    ['sociRoot', { sociRoot: '/var/lib/soci/' }],
    ['download.retries', { download: { ...BASE.download, retries: -1 } }],
    ['download.retryDelaySeconds', { download: { ...BASE.download, retryDelaySeconds: 1.5 } }],
    ['download.connectTimeoutSeconds', { download: { ...BASE.download, connectTimeoutSeconds: 0 } }],
    ['download.maxTimeSeconds', { download: { ...BASE.download, maxTimeSeconds: Number.NaN } }],
    ['configToml', { configToml: 'a = 1\nSOCI_CONFIG_TOML\nreboot\n' }],
    ['configToml', { configToml: 'a = 1\r\n' }],
    ['configToml', { configToml: '  \n' }],
  ];
  test.each(bad)('GIVEN an unsafe %s WHEN the manual script is rendered THEN a ConfigError names the field', (field, override) => {
    expect(() => manual(override)).toThrow(ConfigError);
    expect(() => manual(override)).toThrow(`renderManualInstallScript: ${field} `);
  });

  test('GIVEN a release URL with credentials WHEN the manual script is rendered THEN it is refused without repeating them', () => {
    // The script logs every URL it fetches, so the renderer itself keeps userinfo out.
    const render = () => manual({ releaseBaseUrl: 'https://deploy:s3cr3t-token@mirror.internal/soci' });
    expect(render).toThrow('renderManualInstallScript: releaseBaseUrl (a URL with credentials: https://***@mirror.internal/soci; not shown) is invalid');
    expect(render).not.toThrow(/s3cr3t|deploy/);
  });

  test('GIVEN a config that would end the heredoc WHEN the native script is rendered THEN a ConfigError names configToml', () => {
    expect(() => renderNativeTuningScript({ configToml: 'SOCI_CONFIG_TOML\n', discardUnpackedLayers: true }))
      .toThrow('renderNativeTuningScript: configToml ');
  });

  test('GIVEN hostile strings WHEN shQuote quotes them THEN bash reads them back unchanged', () => {
    const values = ["it's", '$(id)', '`id`', 'a\nb', "''", '\\', '"x"', '!event'];
    const r = spawnSync('bash', ['-c', values.map((v) => `printf '%s\\0' ${shQuote(v)}`).join('; ')], { encoding: 'utf8' });
    expect(r.stdout.split('\0').slice(0, -1)).toEqual(values);
  });
});

describe('renderer output', () => {
  test('GIVEN the same input twice WHEN rendered THEN the output is identical', () => {
    expect(manual({ pinnedSha256: { amd64: SHA_A } })).toBe(manual({ pinnedSha256: { amd64: SHA_A } }));
    const n = { configToml: TUNED_SOCI_CONFIG_TOML, discardUnpackedLayers: false };
    expect(renderNativeTuningScript(n)).toBe(renderNativeTuningScript(n));
  });

  test('GIVEN allowInsecureMirror WHEN rendered THEN curl is limited to HTTPS only when it is false', () => {
    expect(manual()).toContain('--proto "=https" --proto-redir "=https"');
    expect(manual({ allowInsecureMirror: true })).not.toContain('--proto');
  });

  test('GIVEN pins and a mirror WHEN rendered THEN the fixed lines the manifest validator reads keep their shape', () => {
    const lines = manual({ releaseBaseUrl: 'https://mirror.example/soci', pinnedSha256: { arm64: SHA_B } }).split('\n');
    expect(lines).toContain("readonly VERSION='0.15.0'");
    expect(lines).toContain("readonly BASE_URL='https://mirror.example/soci'");
    expect(lines).toContain(`declare -rA PINNED=([amd64]='' [arm64]='${SHA_B}')`);
    expect(lines).toContain('readonly ATTEMPTS=5 RETRY_DELAY=5');
    expect(lines).toContain('readonly CURL_OPTS=(--fail -sS --location --connect-timeout 10 --max-time 300 --proto "=https" --proto-redir "=https")');
  });

  test('GIVEN a ~600-byte config.toml WHEN the manual script is rendered THEN it fits the manual userData budget', () => {
    expect(TUNED_SOCI_CONFIG_TOML.length).toBeGreaterThan(500);
    const config600 = TUNED_SOCI_CONFIG_TOML.padEnd(600 - 1, '#') + '\n';
    // Rolling back a failed install and the decompressor and archive-member checks take about 1.6 KiB;
    // the size guard allows 16,384 - 3,072 bytes.
    expect(Buffer.byteLength(manual({ configToml: config600 }))).toBeLessThanOrEqual(6656);
    // Both pins and the default URL: still leaves room for a ~600-byte NodeConfig and MIME framing in 7680 bytes.
    expect(Buffer.byteLength(manual({ configToml: config600, pinnedSha256: { amd64: SHA_A, arm64: SHA_B } })))
      .toBeLessThanOrEqual(7680 - 600 - 400);
  });
});

describe('native tuning: the installed script and its unit', () => {
  const keep = { configToml: TUNED_SOCI_CONFIG_TOML, discardUnpackedLayers: false };

  test.each([
    ['keep layers', renderNativeTuningRunner(keep)],
    ['discard layers, no decompressors', renderNativeTuningRunner({ configToml: 'debug = false\n', discardUnpackedLayers: true })],
  ])('GIVEN the installed script (%s) WHEN shellcheck and bash -n run THEN they report nothing', (_name, script) => {
    const lint = spawnSync('shellcheck', ['--shell=bash', '--severity=style', '-'], { input: script, encoding: 'utf8' });
    expect(lint.error).toBeUndefined();
    expect(lint.stdout + lint.stderr).toBe('');
    const parse = spawnSync('bash', ['-n'], { input: script, encoding: 'utf8' });
    expect(parse.stderr).toBe('');
    expect(script.startsWith('#!/bin/bash\n')).toBe(true);
    expect(script.split('\n')).toContain('set -euo pipefail');
  });

  test('GIVEN the part WHEN rendered THEN it writes the installed script and unit verbatim, enables the unit and then runs the script', () => {
    const script = renderNativeTuningScript(keep);
    expect(script).toContain(`<<'SOCI_TUNING_SCRIPT'\n${renderNativeTuningRunner(keep)}SOCI_TUNING_SCRIPT\n`);
    expect(script).toContain(`<<'SOCI_UNIT'\n${NATIVE_TUNING_UNIT_FILE}SOCI_UNIT\n`);
    expect(script.endsWith(`systemctl enable ${NATIVE_TUNING_UNIT}\n# First boot: cloud-final is between nodeadm-config and nodeadm-run, the unit's slot.\nexec ${NATIVE_TUNING_BIN}\n`)).toBe(true);
  });

  test('GIVEN a config with decompressors WHEN the script is rendered THEN it checks exactly their paths', () => {
    const config = `${TUNED_SOCI_CONFIG_TOML}\n[pull_modes.parallel_pull_unpack.decompress_streams.zstd]\npath = "/opt/it's/zstd"\n`;
    expect(renderNativeTuningRunner({ configToml: config, discardUnpackedLayers: true }).split('\n'))
      .toContain(`readonly DECOMPRESSORS=('/usr/bin/unpigz' '/opt/it'\\''s/zstd')`);
  });

  test.each([
    ['a relative path', 'path = "zstd"'],
    ['no path', 'args = ["-d"]'],
  ])('GIVEN a decompressor with %s WHEN the script is rendered THEN a ConfigError names it', (_name, line) => {
    const config = `debug = false\n[pull_modes.parallel_pull_unpack.decompress_streams.zstd]\n${line}\n`;
    expect(() => renderNativeTuningScript({ configToml: config, discardUnpackedLayers: true }))
      .toThrow('renderNativeTuningScript: configToml decompress_streams.zstd.path ');
  });

  test('GIVEN a ~600-byte config.toml WHEN the part is rendered THEN it stays within 4 KiB (Karpenter\'s 16 KiB limit keeps a reserve)', () => {
    const config600 = TUNED_SOCI_CONFIG_TOML.padEnd(600 - 1, '#') + '\n';
    expect(Buffer.byteLength(renderNativeTuningScript({ configToml: config600, discardUnpackedLayers: false }))).toBeLessThanOrEqual(4096);
  });

  describe('systemd-analyze verify', () => {
    let dir: string;
    beforeAll(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'soci-native-unit-')); });
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

    /** The unit as installed, with ExecStart at a stub that exists here, verified by name. */
    function verify(unit: string): string {
      const unitDir = fs.mkdtempSync(path.join(dir, 'u'));
      const bin = path.join(unitDir, 'soci-native-tuning');
      fs.writeFileSync(bin, '#!/bin/sh\n', { mode: 0o755 });
      fs.writeFileSync(path.join(unitDir, NATIVE_TUNING_UNIT), unit.replace(`ExecStart=${NATIVE_TUNING_BIN}\n`, `ExecStart=${bin}\n`));
      const r = spawnSync('systemd-analyze', ['verify', NATIVE_TUNING_UNIT], {
        encoding: 'utf8', env: { ...process.env, SYSTEMD_UNIT_PATH: `${unitDir}:` },
      });
      return `${r.stdout}${r.stderr}`;
    }

    test('GIVEN the unit WHEN systemd-analyze verify runs THEN its output is empty', () => {
      expect(NATIVE_TUNING_UNIT_FILE).toContain(`ExecStart=${NATIVE_TUNING_BIN}\n`);
      expect(verify(NATIVE_TUNING_UNIT_FILE)).toBe('');
    });

    test('GIVEN a broken unit WHEN the same check runs THEN it reports it (the check reads this unit)', () => {
      expect(verify(NATIVE_TUNING_UNIT_FILE.replace('Type=oneshot', 'Type=bogus'))).toMatch(/Failed to parse service type, ignoring: bogus/);
    });

    test('GIVEN the unit THEN it is a oneshot between nodeadm-config and nodeadm-run, before containerd and SOCI, wanted by multi-user.target', () => {
      const lines = NATIVE_TUNING_UNIT_FILE.split('\n');
      expect(lines).toEqual(expect.arrayContaining([
        'After=nodeadm-config.service',
        'Before=nodeadm-run.service containerd.service soci-snapshotter.service',
        'Type=oneshot',
        'WantedBy=multi-user.target',
      ]));
    });
  });
});

describe('manual install rollback', () => {
  test('GIVEN the rendered script THEN the rollback deletes every file the install writes, and only those', () => {
    // GIVEN
    const script = manual();
    const rm = /\$\(rm -fv (.*)\)/.exec(script)?.[1];
    expect(rm).toBeDefined();
    // WHEN bash expands the list the way the script does
    const r = spawnSync('bash', ['-c', `U=/etc/systemd/system; printf '%s\\n' ${rm}`], { encoding: 'utf8' });
    // THEN
    expect(r.stdout.split('\n').filter((l) => l !== '').sort()).toEqual([
      '/etc/soci-snapshotter-grpc/config.toml',
      ...Object.keys(manualInstallUnitFiles(DEFAULT_MANUAL_SOCI_ROOT)),
      '/usr/local/bin/soci',
      '/usr/local/bin/soci-snapshotter-grpc',
    ].sort());
  });
});
