import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { compareFolders } from '../../scripts/compare-folders';
import { projectCopy } from '../support/project-copy';

const ROOT = path.resolve(__dirname, '../..');

/** The cdk8s commands README.md gives to type: lines of its shell blocks, and inline `npx cdk8s ...` commands. */
function documentedCdk8sCommands(): string[] {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const blockLines = [...readme.matchAll(/```(?:sh|bash|console)\n([\s\S]*?)```/g)].flatMap((m) => m[1].split('\n'));
  const inline = [...readme.matchAll(/`(npx cdk8s [^`]*)`/g)].map((m) => m[1]);
  return [...blockLines, ...inline].map((line) => line.replace(/#.*$/, '').trim()).filter((line) => /^(npx )?cdk8s \w/.test(line));
}

describe('cdk8s synth (the CLI, for real) runs quietly offline', () => {
  test('every cdk8s command README gives turns off the upgrade check', () => {
    const commands = documentedCdk8sCommands();
    expect(commands.length).toBeGreaterThan(0);
    expect(commands.filter((command) => !command.includes('--no-check-upgrade'))).toEqual([]);
  });

  test('GIVEN no network and no cached version WHEN the documented cdk8s synth runs THEN no upgrade message and no stack trace, dist/ as committed and the CLI\'s own folder in cdk8s\'s layout', () => {
    // GIVEN a copy of the project, with build/ and without dist/, and a HOME without cdk8s-cli's version cache
    const work = projectCopy('cdk8s-quiet-', ['cdk8s.yaml', 'main.ts', 'package.json', 'tsconfig.json', 'lib', 'imports', 'clusters', 'plugin']);
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'home-'));
    const [command] = documentedCdk8sCommands().filter((line) => /cdk8s synth/.test(line));

    // WHEN it runs as documented (npx resolves to the project's own cdk8s-cli)
    const env = { ...process.env, HOME: home, CI: 'true', PATH: `${path.join(work, 'node_modules/.bin')}${path.delimiter}${process.env.PATH}` };
    const result = spawnSync('sh', ['-c', command.replace(/^npx /, '')], { cwd: work, env, encoding: 'utf8' });

    // THEN it synthesizes without looking up cdk8s-cli's latest version (which would leave the cache file)
    expect(result.status).toBe(0);
    expect(result.stderr).not.toMatch(/new version|cdk8s-cli is available/);
    expect(result.stderr).not.toMatch(/^\s+at /m);
    expect(fs.existsSync(path.join(home, '.cdk8s-cli.version'))).toBe(false);
    // AND the app wrote dist/ exactly as committed, leaving .cdk8s.out/ to the CLI
    expect(compareFolders(path.join(ROOT, 'dist'), path.join(work, 'dist'))).toEqual({ changed: [], missing: [], extra: [] });
    expect(fs.readdirSync(path.join(work, '.cdk8s.out'))).toContain('my-cluster.k8s.yaml');
  }, 60_000);
});
