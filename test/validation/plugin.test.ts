import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { bundlePlugin, PLUGIN_FILE } from '../../scripts/build-plugin';
import { PluginContext, PluginViolation } from '../../lib/validation/plugin';
import { setAt, validNodeClass, validNodePool } from './fixtures';

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

function contextFor(files: string[]): { context: PluginContext; recorded: Recorded } {
  const recorded: Recorded = { violations: [], logs: [] };
  const context: PluginContext = {
    manifests: files,
    metadata: { soci: { path: 'my-cluster/SociSnapshotter/Resource' } },
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

function writeManifests(dir: string, objects: object[]): string {
  const file = path.join(dir, 'chart.k8s.yaml');
  fs.writeFileSync(file, objects.map((o) => stringify(o)).join('---\n'));
  return file;
}

let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'soci-plugin-'));
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('the built plugin file', () => {
  test('GIVEN the sources WHEN bundled again THEN the committed plugin/ file is identical (run npm run build:plugin otherwise)', () => {
    expect(fs.readFileSync(PLUGIN_FILE, 'utf8') === bundlePlugin()).toBe(true);
  });
});

describe('KarpenterSociValidation (bundled)', () => {
  test('GIVEN valid manifests WHEN validated THEN success, no violation, and a summary log line', async () => {
    const file = writeManifests(tmp, [validNodeClass(), validNodePool()]);
    const { context, recorded } = contextFor([file]);
    await new KarpenterSociValidation({}).validate(context);
    expect(recorded.status).toBe('success');
    expect(recorded.violations).toEqual([]);
    expect(recorded.metadata).toMatchObject({ errors: '0', warnings: '0', celRulesSkipped: '3' });
    expect(recorded.logs.at(-1)).toMatch(/^karpenter-soci: 2 object\(s\), 0 error\(s\), 0 warning\(s\)/);
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
    expect(violation.violatingResources).toEqual([{ resourceName: 'soci', locations: ['/spec/blockDeviceMappings/0/ebs/throughput'], manifestPath: file }]);
    expect(recorded.logs.some((l) => l.startsWith('WARNING [ami-latest]') && l.includes('(my-cluster/SociSnapshotter/Resource)'))).toBe(true);
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
  }, 30_000);
});
