import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { projectCopy } from './support/project-copy';

const ROOT = path.resolve(__dirname, '..');

/** A copy of the project whose main.ts is replaced, so the checkout itself is never touched (build/ is then stale). */
function projectWithMain(mainTs: string): string {
  const work = projectCopy('invalid-app-', ['cdk8s.yaml', 'package.json', 'tsconfig.json', 'lib', 'imports', 'dist', 'plugin']);
  fs.writeFileSync(path.join(work, 'main.ts'), mainTs);
  return work;
}

function treeOf(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (e.isFile()) out[path.relative(dir, path.join(e.parentPath, e.name))] = fs.readFileSync(path.join(e.parentPath, e.name), 'utf8');
  }
  return out;
}

const INVALID_APP = `
import { App, Chart } from 'cdk8s';
import { Ec2NodeClass, NodePool } from './lib/constructs';
import { runSynth } from './lib/output';

runSynth(() => {
  const app = new App();
  const chart = new Chart(app, 'my-cluster');
  const nodeClass = new Ec2NodeClass(chart, 'Nodes', { role: 'r', discoveryTag: 'd' });
  new NodePool(chart, 'Pool', { nodeClass, weight: 101 });
  return app;
});
`;

/** Valid props, but a SOCI guard fails at synth: the native gate with SOCI data on a 125 MiB/s EBS volume. */
const GUARD_FAILING_APP = `
import { App, Chart } from 'cdk8s';
import { SociBootstrap } from './lib/bootstrap';
import { Ec2NodeClass, NodePool } from './lib/constructs';
import { runSynth } from './lib/output';

runSynth(() => {
  const app = new App();
  const chart = new Chart(app, 'my-cluster');
  const nodeClass = new Ec2NodeClass(chart, 'Nodes', {
    role: 'r', discoveryTag: 'd', bootstrap: SociBootstrap.native(), dataVolume: { throughputMiBps: 125 },
  });
  new NodePool(chart, 'Pool', { nodeClass });
  return app;
});
`;

describe('npm run synth of an invalid app', () => {
  // Both errors end in runSynth's report, which `cdk8s synth` only relays: through the CLI, the Helm case
  // below (a validation error under `cdk8s synth --format helm`) stands for them.
  test.each([
    ['a construct error', INVALID_APP, 'my-cluster/Pool: weight 101 is invalid: an integer from 1 to 100'],
    ['a validation error', GUARD_FAILING_APP, 'ERROR [ebs-throughput] my-cluster/Nodes EC2NodeClass/nodes /spec/blockDeviceMappings/0/ebs/throughput 125'],
  ])('with %s fails with a clear message and leaves dist/ untouched', (_failure, mainTs, expected) => {
    // GIVEN a project with a committed dist/ and an invalid app
    const work = projectWithMain(mainTs);
    const before = treeOf(path.join(work, 'dist'));

    // WHEN it is synthesized by package.json's synth script (the copy's main.ts differs from build/'s, so it runs through tsx)
    const result = spawnSync(process.execPath, ['scripts/run-app.mjs'], { cwd: work, encoding: 'utf8' });

    // THEN the command fails, says where and why, and dist/ is byte-identical
    expect(result.status).not.toBe(0);
    expect(result.stderr + result.stdout).toContain(expected);
    expect(treeOf(path.join(work, 'dist'))).toEqual(before);
    expect(fs.readdirSync(work).filter((f) => f.startsWith('.dist'))).toEqual([]);
  }, 60_000);
});

/** Valid for plain output, but a tag value Helm would template: only a Helm synth must refuse it. */
const HELM_BRACES_APP = `
import { App, Chart } from 'cdk8s';
import { AmiSelector, Ec2NodeClass, NodePool } from './lib/constructs';
import { runSynth } from './lib/output';

runSynth(() => {
  const app = new App();
  const chart = new Chart(app, 'my-cluster');
  const nodeClass = new Ec2NodeClass(chart, 'Nodes', {
    role: 'r', discoveryTag: 'd', amiSelectorTerms: AmiSelector.alias('al2023@v20260724'), tags: { owner: '{{ .Values.owner }}' },
  });
  new NodePool(chart, 'Pool', { nodeClass });
  return app;
});
`;

describe('cdk8s synth --format helm', () => {
  test('the app checks what the plugin checks (Helm braces), so it fails before dist/ is replaced', () => {
    // GIVEN a project with a committed dist/ and an app whose tag holds "{{"
    const work = projectWithMain(HELM_BRACES_APP);
    const before = treeOf(path.join(work, 'dist'));

    // WHEN synthesized as a Helm chart
    const result = spawnSync(path.join(ROOT, 'node_modules/.bin/cdk8s'), ['synth', '--no-check-upgrade', '--format', 'helm', '--chart-version', '1.0.0'], { cwd: work, encoding: 'utf8' });

    // THEN the app itself refused it, naming the construct, and dist/ is byte-identical
    expect(result.status).not.toBe(0);
    expect(result.stderr + result.stdout).toContain('synth failed; dist/ was left as it was.');
    expect(result.stderr + result.stdout).toContain('ERROR [helm-template-braces] my-cluster/Nodes EC2NodeClass/nodes /spec/tags/owner');
    expect(treeOf(path.join(work, 'dist'))).toEqual(before);
  }, 60_000);
});
