import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Chart } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { Ec2NodeClass, NodePool } from '../../lib/constructs';
import { replaceDirAtomically, synthToDist } from '../../lib/output';

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'synth-test-'));
}

/** Every file under dir, relative path → content. */
function snapshotTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) {
      const full = path.join(entry.parentPath, entry.name);
      out[path.relative(dir, full)] = fs.readFileSync(full, 'utf8');
    }
  }
  return out;
}

function twoClusterApp(weight = 10): App {
  const app = new App();
  for (const cluster of ['alpha', 'beta']) {
    const chart = new Chart(app, cluster);
    const nodeClass = new Ec2NodeClass(chart, 'Nodes', { role: `role-${cluster}`, discoveryTag: cluster });
    new NodePool(chart, 'Pool', { nodeClass, weight });
  }
  return app;
}

describe('synthToDist', () => {
  test('writes a folder per chart, a file per object and a kustomization listing them in order', () => {
    // GIVEN an app with two clusters
    const outdir = path.join(tempDir(), 'dist');

    // WHEN synthesized
    const result = synthToDist(twoClusterApp(), { outdir, cdk8sOutdir: outdir });

    // THEN
    expect(result.files).toEqual([
      'alpha/ec2nodeclass-nodes.yaml', 'alpha/kustomization.yaml', 'alpha/nodepool-pool.yaml',
      'beta/ec2nodeclass-nodes.yaml', 'beta/kustomization.yaml', 'beta/nodepool-pool.yaml',
    ]);
    const kustomization = parseAllDocuments(fs.readFileSync(path.join(outdir, 'alpha/kustomization.yaml'), 'utf8'))[0].toJS();
    expect(kustomization).toEqual({
      apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization',
      resources: ['ec2nodeclass-nodes.yaml', 'nodepool-pool.yaml'],
    });
    const docs = parseAllDocuments(fs.readFileSync(path.join(outdir, 'beta/nodepool-pool.yaml'), 'utf8'));
    expect(docs).toHaveLength(1);
    expect(docs[0].toJS().spec.weight).toBe(10);
  });

  test('the same app gives byte-identical output', () => {
    // GIVEN two synths of the same app into different folders
    const [a, b] = [path.join(tempDir(), 'dist'), path.join(tempDir(), 'dist')];
    synthToDist(twoClusterApp(), { outdir: a, cdk8sOutdir: a });
    synthToDist(twoClusterApp(), { outdir: b, cdk8sOutdir: b });

    // THEN
    expect(snapshotTree(a)).toEqual(snapshotTree(b));
  });

  test('a successful synth replaces the folder whole: stale files disappear', () => {
    // GIVEN a dist/ with a file no chart produces any more
    const outdir = path.join(tempDir(), 'dist');
    fs.mkdirSync(path.join(outdir, 'removed-cluster'), { recursive: true });
    fs.writeFileSync(path.join(outdir, 'removed-cluster/nodepool-old.yaml'), 'stale');

    // WHEN synthesized
    synthToDist(twoClusterApp(), { outdir, cdk8sOutdir: outdir });

    // THEN
    expect(fs.existsSync(path.join(outdir, 'removed-cluster'))).toBe(false);
    expect(Object.keys(snapshotTree(outdir))).toHaveLength(6);
  });

  test('a failed check leaves the previous folder byte-identical', () => {
    // GIVEN a synthesized dist/
    const outdir = path.join(tempDir(), 'dist');
    synthToDist(twoClusterApp(10), { outdir, cdk8sOutdir: outdir });
    const before = snapshotTree(outdir);

    // WHEN a later synth of a changed app fails its checks
    expect(() => synthToDist(twoClusterApp(20), {
      outdir, cdk8sOutdir: outdir, check: () => { throw new Error('invalid manifest'); },
    })).toThrow('invalid manifest');

    // THEN nothing changed, and no staging folder is left behind
    expect(snapshotTree(outdir)).toEqual(before);
    expect(fs.readdirSync(path.dirname(outdir))).toEqual(['dist']);
  });

  test('a construct validation error leaves the previous folder byte-identical', () => {
    // GIVEN a synthesized dist/
    const outdir = path.join(tempDir(), 'dist');
    synthToDist(twoClusterApp(), { outdir, cdk8sOutdir: outdir });
    const before = snapshotTree(outdir);

    // WHEN an app whose construct fails validation at synth is synthesized
    const app = twoClusterApp(30);
    app.charts[0].node.addValidation({ validate: () => ['broken on purpose'] });

    // THEN
    expect(() => synthToDist(app, { outdir, cdk8sOutdir: outdir })).toThrow('broken on purpose');
    expect(snapshotTree(outdir)).toEqual(before);
  });

  test('also writes cdk8s-cli layout into the CLI output folder when it differs', () => {
    // GIVEN a separate CLI output folder
    const root = tempDir();
    const [outdir, cliOut] = [path.join(root, 'dist'), path.join(root, '.cdk8s.out')];

    // WHEN
    synthToDist(twoClusterApp(), { outdir, cdk8sOutdir: cliOut });

    // THEN one multi-document file per chart, as cdk8s writes it
    expect(fs.readdirSync(cliOut).sort()).toEqual(['alpha.k8s.yaml', 'beta.k8s.yaml']);
    expect(parseAllDocuments(fs.readFileSync(path.join(cliOut, 'alpha.k8s.yaml'), 'utf8')).map((d) => d.toJS().kind))
      .toEqual(['EC2NodeClass', 'NodePool']);
  });
});

describe('replaceDirAtomically', () => {
  test('restores the previous folder when an earlier swap was interrupted between its renames', () => {
    // GIVEN a crash after dist/ was moved aside and before the new one was moved in
    const root = tempDir();
    fs.mkdirSync(path.join(root, '.dist.previous'));
    fs.writeFileSync(path.join(root, '.dist.previous/a.yaml'), 'old');

    // WHEN the next write fails while staging
    const files = new Map([['a.yaml', 'new'], ['a.yaml/b.yaml', 'impossible: a.yaml is a file']]);
    expect(() => replaceDirAtomically(path.join(root, 'dist'), files)).toThrow();

    // THEN the previous content is back in place and nothing else is left
    expect(fs.readFileSync(path.join(root, 'dist/a.yaml'), 'utf8')).toBe('old');
    expect(fs.readdirSync(root)).toEqual(['dist']);
  });
});
