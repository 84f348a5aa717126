/**
 * First step of `npm test`: the suite checks rendered user data with real system
 * tools, so it makes sure they are there before hundreds of tests fail for want of
 * them. Missing tools are installed with apt-get when that is possible (root, apt-get
 * on PATH, SYSTEM_TOOLS_NO_INSTALL unset); otherwise one line names what is missing
 * and how to install it, and the exit code is 1.
 *
 * Plain JavaScript, run by node itself, because it runs before every test run and
 * must cost no more than a Node start (the checks themselves take about a millisecond
 * when Debian's packages are installed).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The interpreter the tests use (test/support/python.ts): Debian's, which cloud-init is installed for. */
const PYTHON = '/usr/bin/python3';

const USAGE = `Usage: node scripts/check-system-tools.mjs

Checks for the system tools npm test needs: shellcheck, systemd-analyze, and cloud-init's Python module
(cloudinit, importable by ${PYTHON}). When any is missing and this runs as root with apt-get available, it runs
apt-get update and apt-get install -y --no-install-recommends for the missing packages; otherwise it prints one
line naming what is missing and the command that installs it, and exits 1.

Environment:
  SYSTEM_TOOLS_NO_INSTALL=1   never install; only report
`;

function onPath(command) {
  return (process.env.PATH ?? '').split(path.delimiter).some((dir) => {
    try {
      fs.accessSync(path.join(dir || '.', command), fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** Where Debian's packages put Python modules; a module found there needs no interpreter start. */
const DEBIAN_PYTHON_MODULES = '/usr/lib/python3/dist-packages';

function pythonHasModule(name) {
  if (fs.existsSync(PYTHON) && fs.existsSync(path.join(DEBIAN_PYTHON_MODULES, name, '__init__.py'))) return true;
  // Installed some other way: ask the interpreter (find_spec locates it without running its code)
  const probe = `import importlib.util, sys; sys.exit(importlib.util.find_spec(${JSON.stringify(name)}) is None)`;
  return spawnSync(PYTHON, ['-c', probe], { stdio: 'ignore' }).status === 0;
}

/** What the tests run, and the Debian package that provides it. */
const TOOLS = [
  { what: 'shellcheck', debianPackage: 'shellcheck', present: () => onPath('shellcheck') },
  { what: "cloud-init's Python module (cloudinit)", debianPackage: 'cloud-init', present: () => pythonHasModule('cloudinit') },
  { what: 'systemd-analyze', debianPackage: 'systemd', present: () => onPath('systemd-analyze') },
];

const missingTools = () => TOOLS.filter((tool) => !tool.present());

const listed = (items) => (items.length === 1 ? items[0] : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`);

function installCommand(packages, asRoot) {
  const sudo = asRoot ? '' : 'sudo ';
  return `${sudo}apt-get update && ${sudo}apt-get install -y --no-install-recommends ${packages.join(' ')}`;
}

function canInstall() {
  return process.env.SYSTEM_TOOLS_NO_INSTALL !== '1' && process.getuid?.() === 0 && onPath('apt-get');
}

function install(packages) {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update', '-qq'], ['install', '-y', '-qq', '--no-install-recommends', ...packages]]) {
    const result = spawnSync('apt-get', args, { stdio: ['ignore', 'ignore', 'inherit'], env });
    if (result.status !== 0) return false;
  }
  return true;
}

function main() {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    process.stdout.write(USAGE);
    return 0;
  }
  let missing = missingTools();
  if (missing.length === 0) return 0;

  const packages = missing.map((tool) => tool.debianPackage);
  const names = listed(missing.map((tool) => tool.what));
  if (canInstall()) {
    console.error(`npm test: ${names} missing; installing ${packages.join(' ')} with apt-get (set SYSTEM_TOOLS_NO_INSTALL=1 to stop this)`);
    install(packages);
    missing = missingTools();
    if (missing.length === 0) return 0;
  }
  const still = listed(missing.map((tool) => tool.what));
  const command = installCommand(missing.map((tool) => tool.debianPackage), process.getuid?.() === 0);
  console.error(`npm test needs ${still}, which ${missing.length === 1 ? 'is' : 'are'} missing: install with \`${command}\` (Debian/Ubuntu)`);
  return 1;
}

process.exitCode = main();
