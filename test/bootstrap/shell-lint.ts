/**
 * Runs `bash -n` and shellcheck over rendered scripts, all in one process
 * each, and returns every finding keyed by script name.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export const SHELLCHECK = '/usr/bin/shellcheck';

export interface ShellFindings {
  /** `bash -n` output per script; empty string when it parsed. */
  readonly bashSyntax: Record<string, string>;
  /** shellcheck findings (gcc format) per script; empty string when clean. */
  readonly shellcheck: Record<string, string>;
}

export function lintScripts(scripts: Record<string, string>): ShellFindings {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'soci-shell-'));
  try {
    const files: Record<string, string> = {};
    for (const [name, script] of Object.entries(scripts)) {
      files[name] = path.join(dir, `${name.replace(/[^A-Za-z0-9_-]/g, '_')}.sh`);
      fs.writeFileSync(files[name], script);
    }
    const bashSyntax: Record<string, string> = {};
    for (const [name, file] of Object.entries(files)) {
      const result = spawnSync('bash', ['-n', file], { encoding: 'utf8' });
      bashSyntax[name] = `${result.status === 0 ? '' : `exit ${result.status}: `}${result.stderr}`.trim();
    }
    const check = spawnSync(SHELLCHECK, ['--shell=bash', '--severity=style', '--format=gcc', ...Object.values(files)], { encoding: 'utf8' });
    if (check.error) throw check.error;
    const shellcheck: Record<string, string> = {};
    for (const [name, file] of Object.entries(files)) {
      shellcheck[name] = check.stdout.split('\n').filter((line) => line.startsWith(`${file}:`)).join('\n');
    }
    return { bashSyntax, shellcheck };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
