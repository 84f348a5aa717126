import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const CHECKER = path.join(ROOT, 'scripts/check-system-tools.mjs');

/** A PATH folder holding links to the given real commands, and nothing else. */
function pathWith(commands: string[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'path-'));
  for (const command of commands) fs.symlinkSync(`/usr/bin/${command}`, path.join(dir, command));
  return dir;
}

function runChecker(env: Record<string, string>) {
  return spawnSync(process.execPath, [CHECKER], { encoding: 'utf8', env: { HOME: os.tmpdir(), ...env } });
}

describe('the system-tool check before npm test', () => {
  test('npm test runs it before the type-check and jest', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    expect(pkg.scripts.test).toMatch(/^node scripts\/check-system-tools\.mjs && /);
  });

  test('GIVEN every tool THEN it passes silently', () => {
    const result = runChecker({ PATH: pathWith(['shellcheck', 'systemd-analyze']), SYSTEM_TOOLS_NO_INSTALL: '1' });
    expect({ status: result.status, stdout: result.stdout, stderr: result.stderr }).toEqual({ status: 0, stdout: '', stderr: '' });
  });

  test('GIVEN no shellcheck and installing turned off THEN one line names it and the install command, exit 1', () => {
    // GIVEN a PATH without shellcheck
    const PATH = pathWith(['systemd-analyze']);

    // WHEN
    const result = runChecker({ PATH, SYSTEM_TOOLS_NO_INSTALL: '1' });

    // THEN
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      'npm test needs shellcheck, which is missing: install with `apt-get update && apt-get install -y --no-install-recommends shellcheck` (Debian/Ubuntu)\n',
    );
  });

  test('GIVEN no cloud-init Python module THEN one line names it and the cloud-init package, exit 1', () => {
    // GIVEN Debian's Python modules hidden in a private mount namespace (as root, like the node-run tests)
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'no-modules-'));
    const PATH = pathWith(['shellcheck', 'systemd-analyze']);
    const script = `mount --bind ${empty} /usr/lib/python3/dist-packages && exec ${process.execPath} ${CHECKER}`;

    // WHEN
    const result = spawnSync('unshare', ['-m', '--propagation', 'private', 'sh', '-c', script], {
      encoding: 'utf8',
      env: { HOME: os.tmpdir(), PATH: `${PATH}:/usr/bin:/bin`, SYSTEM_TOOLS_NO_INSTALL: '1' },
    });

    // THEN
    expect(result.stderr).toBe(
      "npm test needs cloud-init's Python module (cloudinit), which is missing: install with `apt-get update && apt-get install -y --no-install-recommends cloud-init` (Debian/Ubuntu)\n",
    );
    expect(result.status).toBe(1);
  });

  test('GIVEN no shellcheck and apt-get usable as root THEN it says so, runs apt-get update and install, and passes once installed', () => {
    // GIVEN an apt-get that records its arguments and "installs" shellcheck by linking the real one
    const PATH = pathWith(['systemd-analyze']);
    const log = path.join(PATH, 'apt-get.log');
    fs.writeFileSync(
      path.join(PATH, 'apt-get'),
      `#!/bin/sh\necho "$DEBIAN_FRONTEND $*" >> ${log}\ncase "$1" in install) /bin/ln -s /usr/bin/shellcheck ${PATH}/shellcheck;; esac\n`,
      { mode: 0o755 },
    );

    // WHEN (the test suite runs as root; the node-run tests need it too)
    const result = runChecker({ PATH });

    // THEN
    expect(result.stderr).toBe('npm test: shellcheck missing; installing shellcheck with apt-get (set SYSTEM_TOOLS_NO_INSTALL=1 to stop this)\n');
    expect(fs.readFileSync(log, 'utf8')).toBe('noninteractive update -qq\nnoninteractive install -y -qq --no-install-recommends shellcheck\n');
    expect(result.status).toBe(0);
  });

  test('GIVEN apt-get that fails THEN the one-line message follows the attempt, exit 1', () => {
    const PATH = pathWith(['systemd-analyze']);
    fs.writeFileSync(path.join(PATH, 'apt-get'), '#!/bin/sh\nexit 100\n', { mode: 0o755 });
    const result = runChecker({ PATH });
    expect(result.status).toBe(1);
    expect(result.stderr.split('\n')).toEqual([
      'npm test: shellcheck missing; installing shellcheck with apt-get (set SYSTEM_TOOLS_NO_INSTALL=1 to stop this)',
      'npm test needs shellcheck, which is missing: install with `apt-get update && apt-get install -y --no-install-recommends shellcheck` (Debian/Ubuntu)',
      '',
    ]);
  });
});
