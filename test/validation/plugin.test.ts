import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { PLUGIN_FILE } from '../../scripts/build-plugin';
import { PluginContext, PluginViolation } from '../../lib/validation/plugin';
import { setAt, validNodeClass, validNodePool } from './fixtures';
import { projectCopy } from '../support/project-copy';

const ROOT = path.resolve(__dirname, '../..');

/** The committed bundle, loaded the way the cdk8s CLI loads it. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { KarpenterSociValidation } = require(PLUGIN_FILE);

interface Recorded {
  readonly violations: PluginViolation[];
  readonly logs: string[];
  status?: string;
  metadata?: Record<string, string>;
}

/** Construct metadata as this project's synth writes it: keyed by cluster, kind and name. */
const METADATA = { 'chart:EC2NodeClass/soci': { path: 'chart/SociSnapshotter' }, 'chart:NodePool/soci': { path: 'chart/SociPool' } };

function contextFor(files: string[], metadata: PluginContext['metadata'] = METADATA): { context: PluginContext; recorded: Recorded } {
  const recorded: Recorded = { violations: [], logs: [] };
  const context: PluginContext = {
    manifests: files,
    metadata,
    parseManifest: (file) => parseAllDocuments(fs.readFileSync(file, 'utf8')).map((d) => d.toJS()),
    report: {
      addViolation: (v) => recorded.violations.push(v),
      submit: (status, metadata) => {
        recorded.status = status;
        recorded.metadata = { ...metadata };
      },
    },
    logger: { log: (m) => recorded.logs.push(m) },
  };
  return { context, recorded };
}

function writeManifests(dir: string, objects: object[], cluster = 'chart'): string {
  const file = path.join(dir, `${cluster}.k8s.yaml`);
  fs.writeFileSync(file, objects.map((o) => stringify(o)).join('---\n'));
  return file;
}

let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'soci-plugin-'));
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('KarpenterSociValidation (bundled)', () => {
  test('GIVEN valid manifests WHEN validated THEN success, no violation, and a summary log line', async () => {
    const file = writeManifests(tmp, [validNodeClass(), validNodePool()]);
    const { context, recorded } = contextFor([file]);
    await new KarpenterSociValidation({}).validate(context);
    expect(recorded.status).toBe('success');
    expect(recorded.violations).toEqual([]);
    expect(recorded.metadata).toMatchObject({ errors: '0', warnings: '0', celRulesSkipped: '3' });
    expect(recorded.logs.at(-1)).toMatch(/^karpenter-soci: 2 object\(s\) in 1 cluster\(s\), 0 error\(s\), 0 warning\(s\)/);
  });

  test('GIVEN an error and a warning WHEN validated THEN failure, one violation with location and file, and the warning logged', async () => {
    const nodeClass = setAt(setAt(validNodeClass(), '/spec/blockDeviceMappings/0/ebs/throughput', 125), '/spec/amiSelectorTerms/0/alias', 'al2023@latest');
    const file = writeManifests(tmp, [nodeClass, validNodePool()]);
    const { context, recorded } = contextFor([file]);
    await new KarpenterSociValidation({}).validate(context);
    expect(recorded.status).toBe('failure');
    expect(recorded.violations).toHaveLength(1);
    const [violation] = recorded.violations;
    expect(violation.ruleName).toBe('ebs-throughput: EC2NodeClass/soci /spec/blockDeviceMappings/0/ebs/throughput');
    expect(violation.fix).toContain('throughput: 600');
    expect(violation.recommendation).not.toContain('Fix:');
    // resourceName is the construct metadata key, so cdk8s-cli prints the construct path beside it
    expect(violation.violatingResources).toEqual([{ resourceName: 'chart:EC2NodeClass/soci', locations: ['/spec/blockDeviceMappings/0/ebs/throughput'], manifestPath: file }]);
    expect(recorded.logs.some((l) => l.startsWith('WARNING [ami-latest]') && l.includes('(chart/SociSnapshotter) EC2NodeClass/soci'))).toBe(true);
  });

  test('GIVEN a Helm chart layout WHEN a value has braces THEN the helm guard fires without any property', async () => {
    fs.mkdirSync(path.join(tmp, 'templates'));
    fs.writeFileSync(path.join(tmp, 'Chart.yaml'), 'apiVersion: v2\nname: x\nversion: 1.0.0\n');
    const file = writeManifests(path.join(tmp, 'templates'), [setAt(validNodeClass(), '/spec/tags/owner', '{{ .Values.owner }}'), validNodePool()]);
    const { context, recorded } = contextFor([file]);
    await new KarpenterSociValidation({}).validate(context);
    expect(recorded.violations.map((v) => v.ruleName)).toEqual(['helm-template-braces: EC2NodeClass/soci /spec/tags/owner']);
  });
});

describe('KarpenterSociValidation with several clusters', () => {
  test('GIVEN two clusters whose objects share names WHEN validated THEN each cluster is checked on its own: no duplicate-name, refs resolved per cluster', async () => {
    // GIVEN alpha and beta, each with an EC2NodeClass and a NodePool named soci; beta's pool refers to a class only alpha has
    const alpha = writeManifests(tmp, [validNodeClass(), validNodePool(), validNodeClass('only-in-alpha')], 'alpha');
    const beta = writeManifests(tmp, [validNodeClass(), validNodePool(), validNodePool('stray', 'only-in-alpha')], 'beta');
    const { context, recorded } = contextFor([alpha, beta], {});

    // WHEN
    await new KarpenterSociValidation({}).validate(context);

    // THEN the only error is beta's stray pool: alpha's class is not beta's
    expect(recorded.violations.map((v) => v.ruleName)).toEqual(['node-class-ref: NodePool/stray /spec/template/spec/nodeClassRef/name']);
    expect(recorded.violations[0].violatingResources[0].manifestPath).toBe(beta);
    expect(recorded.logs.at(-1)).toMatch(/^karpenter-soci: 6 object\(s\) in 2 cluster\(s\), 1 error\(s\)/);
  });

  test('GIVEN construct metadata keyed by cluster, kind and name WHEN a finding is reported THEN it names the construct of that cluster and kind', async () => {
    // GIVEN two clusters with the same names; beta's class has a slow data volume
    const alpha = writeManifests(tmp, [validNodeClass(), validNodePool()], 'alpha');
    const beta = writeManifests(tmp, [setAt(validNodeClass(), '/spec/blockDeviceMappings/0/ebs/throughput', 125), validNodePool()], 'beta');
    const metadata = {
      'alpha:EC2NodeClass/soci': { path: 'alpha/Nodes' }, 'alpha:NodePool/soci': { path: 'alpha/Pool' },
      'beta:EC2NodeClass/soci': { path: 'beta/Nodes' }, 'beta:NodePool/soci': { path: 'beta/Pool' },
    };
    const { context, recorded } = contextFor([alpha, beta], metadata);

    // WHEN
    await new KarpenterSociValidation({}).validate(context);

    // THEN the violation points at beta's class, neither its pool nor alpha's class
    expect(recorded.violations).toHaveLength(1);
    expect(recorded.violations[0].violatingResources).toEqual([{ resourceName: 'beta:EC2NodeClass/soci', locations: ['/spec/blockDeviceMappings/0/ebs/throughput'], manifestPath: beta }]);
    expect(metadata[recorded.violations[0].violatingResources[0].resourceName as keyof typeof metadata].path).toBe('beta/Nodes');
  });

  test("GIVEN cdk8s's own metadata, keyed by name alone WHEN a name is used twice THEN no construct path is guessed for it", async () => {
    const nodeClass = setAt(validNodeClass(), '/spec/amiSelectorTerms/0/alias', 'al2023@latest');
    const file = writeManifests(tmp, [nodeClass, validNodePool()], 'alpha');
    const { context, recorded } = contextFor([file], { soci: { path: 'alpha/Pool/Resource' } });
    await new KarpenterSociValidation({}).validate(context);
    const warning = recorded.logs.find((l) => l.startsWith('WARNING [ami-latest]'))!;
    expect(warning).toContain(`${path.relative(process.cwd(), file)} EC2NodeClass/soci`);
    expect(warning).not.toContain('alpha/Pool');
  });
});

describe('cdk8s synth with the plugin (real CLI)', () => {
  test('GIVEN a project whose app writes a bad NodePool WHEN cdk8s synth runs THEN exit code 2 and our messages', () => {
    // GIVEN: a project folder with its own cdk8s.yaml pointing at the bundled plugin
    fs.copyFileSync(PLUGIN_FILE, path.join(tmp, 'plugin.js'));
    fs.writeFileSync(path.join(tmp, 'cdk8s.yaml'), 'language: typescript\napp: node app.js\noutput: out\nvalidations:\n  - package: ./plugin.js\n    version: 0.0.0\n    class: KarpenterSociValidation\n');
    const bad = stringify(setAt(setAt(validNodePool('bad', 'missing'), '/spec/weight', 0), '/spec/template/spec/expireAfter', '1d'));
    fs.writeFileSync(path.join(tmp, 'app.js'), `const fs = require('fs');\nfs.mkdirSync(process.env.CDK8S_OUTDIR, { recursive: true });\nfs.writeFileSync(require('path').join(process.env.CDK8S_OUTDIR, 'bad.k8s.yaml'), ${JSON.stringify(bad)});\n`);
    // WHEN
    const result = spawnSync(path.join(ROOT, 'node_modules', '.bin', 'cdk8s'), ['synth', '--no-check-upgrade'], { cwd: tmp, encoding: 'utf8', env: { ...process.env, CI: 'true' } });
    // THEN
    const output = `${result.stdout}\n${result.stderr}`;
    // Exit code 2 is the CLI's "validation failed"; print the output when it is anything else.
    if (result.status !== 2) throw new Error(`exit ${result.status}:\n${output}`);
    expect(output).toContain('/spec/weight');
    expect(output).toContain('must be >= 1');
    expect(output).toContain('/spec/template/spec/expireAfter');
    expect(output).toContain('nodeClassRef names EC2NodeClass "missing"');
    // AND the plugin file, away from any node_modules, still evaluates every CEL rule with the CEL library it bundles
    expect(output).not.toContain('could not be evaluated');
    expect(output).toMatch(/1 object\(s\) in 1 cluster\(s\), 3 error\(s\)/);
  }, 30_000);
});

describe('cdk8s synth of an app with two clusters (real CLI, this project\'s cdk8s.yaml)', () => {
  test('GIVEN two charts whose objects share names WHEN cdk8s synth runs THEN the app and the plugin agree: both clusters pass, and findings name each cluster\'s construct', () => {
    // GIVEN a copy of the project with an app of clusters alpha and beta, alike but for their roles (JavaScript on
    // the compiled library, run by this project's cdk8s.yaml and plugin; only its app command is given on the command line)
    const work = projectCopy('two-clusters-', ['cdk8s.yaml', 'package.json', 'plugin']);
    fs.writeFileSync(path.join(work, 'two-clusters.js'), [
      "const { App, Chart } = require('cdk8s');",
      "const { AmiSelector, Ec2NodeClass, NodePool } = require('./build/lib/constructs');",
      "const { runSynth } = require('./build/lib/output');",
      'runSynth(() => {',
      '  const app = new App();',
      "  for (const cluster of ['alpha', 'beta']) {",
      '    const chart = new Chart(app, cluster);',
      "    const nodeClass = new Ec2NodeClass(chart, 'Nodes', { metadata: { name: 'soci' }, role: `role-${cluster}`, discoveryTag: cluster, amiSelectorTerms: [...AmiSelector.AL2023_LATEST] });",
      "    new NodePool(chart, 'Pool', { metadata: { name: 'soci' }, nodeClass });",
      '  }',
      '  return app;',
      '});',
      '',
    ].join('\n'));

    // WHEN
    const result = spawnSync(path.join(ROOT, 'node_modules', '.bin', 'cdk8s'), ['synth', '--no-check-upgrade', '--app', 'node two-clusters.js'], { cwd: work, encoding: 'utf8' });
    const output = `${result.stdout}\n${result.stderr}`;

    // THEN the synth succeeds, with no false duplicate-name, and dist/ holds both clusters
    if (result.status !== 0) throw new Error(`exit ${result.status}:\n${output}`);
    expect(output).not.toContain('duplicate-name');
    expect(output).toMatch(/karpenter-soci: 4 object\(s\) in 2 cluster\(s\), 0 error\(s\), 2 warning\(s\)/);
    expect(fs.readdirSync(path.join(work, 'dist')).sort()).toEqual(['.cdk8s-karpenter-soci', 'alpha', 'beta']);
    // and the plugin's warnings name the right cluster's construct, as the app's own do
    for (const cluster of ['alpha', 'beta']) {
      expect(output).toContain(`WARNING [ami-latest] .cdk8s.out/${cluster}.k8s.yaml (${cluster}/Nodes) EC2NodeClass/soci`);
      expect(output).toContain(`WARNING [ami-latest] ${cluster}/Nodes EC2NodeClass/soci`);
    }
  }, 60_000);
});
