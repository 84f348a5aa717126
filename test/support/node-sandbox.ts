/**
 * Runs a bootstrap script for real, as root, in a private mount namespace
 * (`unshare -m --propagation private`) whose writable system directories are
 * overlay mounts. Each overlay's upper directory then holds exactly what the
 * script wrote, and nothing reaches the host. `systemctl`, `uname` and
 * `logger` are stubs bind-mounted over the real ones: systemctl and logger
 * record their arguments, uname reports the machine the test asks for.
 */
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { shQuote } from '../../lib/bootstrap/scripts/shell';

/** Directories overlaid in every run, in mount order (/usr/bin before stubs are bound into it). */
export const OVERLAID_DIRS = ['/usr/bin', '/usr/local', '/etc', '/var/lib', '/run', '/tmp'] as const;
export type OverlaidDir = (typeof OVERLAID_DIRS)[number];

/** Exit code the sandbox driver uses for its own failures, so they are never mistaken for the script's. */
export const SANDBOX_FAILURE = 125;

/** Sandboxes live here: not under /tmp, which is itself overlaid. */
const SANDBOX_PARENT = '/var/tmp';

export interface SandboxRun {
  /** The script text to run with /bin/bash. */
  readonly script: string;
  /** What `uname -m` prints. @default 'x86_64' */
  readonly machine?: string;
  /** Extra environment for the script (PATH, HOME and LANG are set already). */
  readonly env?: Record<string, string>;
  /** Kill the run after this many ms. @default 30000 */
  readonly timeoutMs?: number;
  /** systemctl calls whose arguments (joined by spaces) equal this exit 1, after being recorded. @default - every call exits 0 */
  readonly failingSystemctlCall?: string;
}

export interface SandboxResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** One entry per systemctl call, its arguments joined by spaces. */
  readonly systemctlCalls: string[];
  /** One entry per logger call, its arguments joined by spaces. */
  readonly loggerCalls: string[];
  readonly durationMs: number;
}

export interface UpperFile {
  /** Permission bits, e.g. 0o755. */
  readonly mode: number;
  readonly content: string;
}

/**
 * Fails with a clear message when this process cannot run sandboxes (not
 * root, no unshare, no overlayfs). Call it in beforeAll: the suite must fail,
 * not skip, where it cannot run.
 */
export function assertNodeSandboxSupported(): void {
  const problems: string[] = [];
  if (process.getuid?.() !== 0) problems.push(`not running as root (uid ${process.getuid?.()})`);
  for (const tool of ['unshare', 'mount', 'bash', 'tar', 'sha256sum', 'curl', 'openssl']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) problems.push(`\`${tool}\` not found on PATH`);
  }
  if (problems.length === 0) {
    const probe = fs.mkdtempSync(path.join(SANDBOX_PARENT, 'soci-probe-'));
    try {
      for (const d of ['lower', 'upper', 'work', 'merged']) fs.mkdirSync(path.join(probe, d));
      const r = spawnSync('unshare', ['-m', '--propagation', 'private', '--', 'sh', '-c',
        `mount -t overlay overlay -o lowerdir=${probe}/lower,upperdir=${probe}/upper,workdir=${probe}/work ${probe}/merged && touch ${probe}/merged/x`],
      { encoding: 'utf8' });
      if (r.status !== 0) problems.push(`unshare -m + overlay mount failed: ${(r.stderr || r.error?.message || '').trim()}`);
    } finally {
      fs.rmSync(probe, { recursive: true, force: true });
    }
  }
  if (problems.length > 0) {
    throw new Error(
      `node-run tests need root, unshare and overlayfs (CI runs them as root); cannot run here: ${problems.join('; ')}`);
  }
}

/** One node's disk: overlay upper dirs that persist across runs, so a second run sees the first run's files. */
export class NodeSandbox {
  public readonly dir: string;
  private readonly extraLowers = new Map<OverlaidDir, string>();

  /**
   * @param name short label for the temp dir
   * @param lowerFixtures files a test places in a lower layer, e.g. `{ '/etc': { 'containerd/config.toml': '...' } }`;
   *   keys of the inner record are paths relative to the overlaid dir, values the content (`{ content, mode }` for a mode)
   */
  public constructor(name: string, lowerFixtures: Partial<Record<OverlaidDir, Record<string, string | { content: string; mode: number }>>> = {}) {
    this.dir = fs.mkdtempSync(path.join(SANDBOX_PARENT, `soci-${name}-`));
    for (const [i, target] of OVERLAID_DIRS.entries()) {
      for (const sub of ['upper', 'work']) fs.mkdirSync(path.join(this.dir, 'layers', String(i), sub), { recursive: true });
      const files = lowerFixtures[target];
      if (files) {
        const lower = path.join(this.dir, 'layers', String(i), 'lower');
        fs.mkdirSync(lower);
        for (const [rel, value] of Object.entries(files)) {
          const file = path.join(lower, rel);
          const { content, mode } = typeof value === 'string' ? { content: value, mode: 0o644 } : value;
          fs.mkdirSync(path.dirname(file), { recursive: true });
          fs.writeFileSync(file, content);
          fs.chmodSync(file, mode);
        }
        this.extraLowers.set(target, lower);
      }
    }
    fs.mkdirSync(path.join(this.dir, 'stubs'));
    fs.mkdirSync(path.join(this.dir, 'records'));
    fs.copyFileSync('/usr/bin/uname', path.join(this.dir, 'stubs', 'real-uname'));
    fs.chmodSync(path.join(this.dir, 'stubs', 'real-uname'), 0o755);
  }

  /** The overlay upper dir for `target`: exactly what runs wrote there. */
  public upperDir(target: OverlaidDir): string {
    return path.join(this.dir, 'layers', String(OVERLAID_DIRS.indexOf(target)), 'upper');
  }

  /** Every non-directory entry runs created under `target`, relative and sorted. */
  public upperFiles(target: OverlaidDir): string[] {
    const root = this.upperDir(target);
    const out: string[] = [];
    const walk = (dir: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(full);
        else out.push(path.relative(root, full));
      }
    };
    walk(root);
    return out.sort();
  }

  /** All files written anywhere, as `/etc/x/y` paths. */
  public allWrittenFiles(): string[] {
    return OVERLAID_DIRS.flatMap((t) => this.upperFiles(t).map((f) => `${t}/${f}`)).sort();
  }

  /** Content and mode of a file in `target`'s upper dir. */
  public readUpper(target: OverlaidDir, rel: string): UpperFile {
    const file = path.join(this.upperDir(target), rel);
    return { mode: fs.statSync(file).mode & 0o7777, content: fs.readFileSync(file, 'utf8') };
  }

  /** Runs `script` in a fresh namespace over this sandbox's layers. */
  public async run(opts: SandboxRun): Promise<SandboxResult> {
    const stubs = path.join(this.dir, 'stubs');
    const records = path.join(this.dir, 'records');
    for (const f of fs.readdirSync(records)) fs.rmSync(path.join(records, f));
    const recorder = (name: string) => `#!/bin/sh\nprintf '%s\\n' "$*" >>'${records}/${name}'\n`;
    const failing = opts.failingSystemctlCall;
    writeExecutable(path.join(stubs, 'systemctl'), recorder('systemctl')
      + (failing === undefined ? '' : `if [ "$*" = ${shQuote(failing)} ]; then exit 1; fi\n`));
    writeExecutable(path.join(stubs, 'logger'), recorder('logger'));
    writeExecutable(path.join(stubs, 'uname'),
      `#!/bin/sh\nif [ "$*" = "-m" ]; then echo '${opts.machine ?? 'x86_64'}'; else exec '${stubs}/real-uname' "$@"; fi\n`);
    const scriptFile = path.join(this.dir, 'script.sh');
    fs.writeFileSync(scriptFile, opts.script, { mode: 0o755 });

    const mounts = OVERLAID_DIRS.map((target, i) => {
      const layer = path.join(this.dir, 'layers', String(i));
      const extra = this.extraLowers.get(target);
      const lowerdir = extra ? `${extra}:${target}` : target;
      return `mount -t overlay overlay -o 'lowerdir=${lowerdir},upperdir=${layer}/upper,workdir=${layer}/work' '${target}' || fail 'overlay on ${target}'`;
    });
    const binds = ['systemctl', 'uname', 'logger'].map(
      (tool) => `mount --bind '${stubs}/${tool}' '/usr/bin/${tool}' || fail 'bind ${tool}'`);
    const driver = [
      'fail() { echo "node-sandbox: $1 failed" >&2; exit ' + SANDBOX_FAILURE + '; }',
      ...mounts,
      ...binds,
      `exec /bin/bash '${scriptFile}'`,
    ].join('\n');

    const env: Record<string, string> = {
      PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      HOME: '/root',
      LANG: 'C',
      ...opts.env,
    };
    const started = Date.now();
    const { code, stdout, stderr } = await spawnAsync(
      'unshare', ['-m', '--propagation', 'private', '--', '/bin/bash', '-c', driver], env, opts.timeoutMs ?? 30_000);
    const lines = (name: string) => {
      const file = path.join(records, name);
      return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter((l) => l !== '') : [];
    };
    if (code === SANDBOX_FAILURE && /node-sandbox: /.test(stderr)) {
      throw new Error(`sandbox setup failed: ${stderr}`);
    }
    return { code, stdout, stderr, systemctlCalls: lines('systemctl'), loggerCalls: lines('logger'), durationMs: Date.now() - started };
  }

  /** Removes the sandbox (its mounts died with their namespace). */
  public dispose(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

function writeExecutable(file: string, content: string): void {
  fs.writeFileSync(file, content);
  fs.chmodSync(file, 0o755);
}

/** Async spawn: the artifact server lives in this process, so the event loop must keep running. */
export function spawnAsync(cmd: string, args: string[], env: Record<string, string>, timeoutMs: number):
Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
  });
}
