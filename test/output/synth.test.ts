import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Chart } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { Ec2NodeClass, NodePool } from '../../lib/constructs';
import { GENERATED_HEADER, lockFileOf, OUTPUT_MARKER, replaceDirAtomically, runSynth, synthToDist } from '../../lib/output';

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
      OUTPUT_MARKER, 'alpha/ec2nodeclass-nodes.yaml', 'alpha/kustomization.yaml', 'alpha/nodepool-pool.yaml',
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
    fs.writeFileSync(path.join(outdir, 'removed-cluster/nodepool-old.yaml'), `${GENERATED_HEADER}stale: true\n`);

    // WHEN synthesized
    synthToDist(twoClusterApp(), { outdir, cdk8sOutdir: outdir });

    // THEN
    expect(fs.existsSync(path.join(outdir, 'removed-cluster'))).toBe(false);
    expect(Object.keys(snapshotTree(outdir))).toHaveLength(7);
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

describe('synthToDist extraFiles', () => {
  test('writes extra files in the same swap as the manifests, and refuses paths outside outdir or inside a cluster folder', () => {
    // GIVEN an app and a Helm chart to be written beside its clusters
    const outdir = path.join(tempDir(), 'dist');

    // WHEN synthesized with extra files
    const result = synthToDist(twoClusterApp(), { outdir, cdk8sOutdir: outdir, extraFiles: () => new Map([['helm/Chart.yaml', 'name: x\n']]) });

    // THEN they are part of the output
    expect(result.files).toContain('helm/Chart.yaml');
    expect(fs.readFileSync(path.join(outdir, 'helm/Chart.yaml'), 'utf8')).toBe('name: x\n');
    for (const bad of ['../escaped.yaml', 'alpha/extra.yaml', '/etc/x']) {
      expect(() => synthToDist(twoClusterApp(), { outdir, cdk8sOutdir: outdir, extraFiles: () => new Map([[bad, '']]) }))
        .toThrow(`synth: extraFiles ${JSON.stringify(bad)} is invalid`);
    }
    expect(fs.existsSync(path.join(outdir, 'helm/Chart.yaml'))).toBe(true);
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

describe('runSynth after a crash between the two renames of a swap', () => {
  /** Runs runSynth in this process, capturing what it prints and its exit code. */
  function runSynthCapturing(buildApp: () => App, outdir: string): { lines: string[]; exitCode: typeof process.exitCode } {
    const lines: string[] = [];
    const exitBefore = process.exitCode;
    try {
      runSynth(buildApp, { outdir, log: (line) => lines.push(line) });
      return { lines, exitCode: process.exitCode };
    } finally {
      process.exitCode = exitBefore;
    }
  }

  /** dist/ moved aside to .dist.previous and the new folder not yet moved in. */
  function crashState(): { root: string; outdir: string; before: Record<string, string> } {
    const root = tempDir();
    const outdir = path.join(root, 'dist');
    synthToDist(twoClusterApp(), { outdir, cdk8sOutdir: outdir });
    const before = snapshotTree(outdir);
    fs.renameSync(outdir, path.join(root, '.dist.previous'));
    fs.mkdirSync(path.join(root, '.dist.staging-4242-0a0b0c0d/alpha'), { recursive: true });
    return { root, outdir, before };
  }

  test('a synth whose app fails to build still restores dist/, and says so instead of "left as it was"', () => {
    // GIVEN the crash state
    const { root, outdir, before } = crashState();

    // WHEN the next synth fails while building the app
    const { lines, exitCode } = runSynthCapturing(() => { throw new Error('a construct error'); }, outdir);

    // THEN dist/ is back, byte for byte, nothing else is left, and every message is true
    expect(snapshotTree(outdir)).toEqual(before);
    expect(fs.readdirSync(root)).toEqual(['dist']);
    expect(exitCode).toBe(1);
    expect(lines[0]).toBe(`synth: ${outdir}/ was missing after an interrupted synth; restored its previous content from ${path.join(root, '.dist.previous')}`);
    expect(lines[1]).toMatch(/^synth failed; .*dist\/ holds its previous content again \(restored at the start of this run, after an interrupted synth\), and nothing else changed\.\na construct error$/);
    expect(lines.join('\n')).not.toContain('left as it was');
  });

  test('a failing synth with no dist/ at all says it was not written', () => {
    const outdir = path.join(tempDir(), 'dist');
    const { lines } = runSynthCapturing(() => { throw new Error('a construct error'); }, outdir);
    expect(lines).toEqual([`synth failed; ${outdir}/ was not written.\na construct error`]);
    expect(fs.existsSync(outdir)).toBe(false);
  });

  test('a failing synth of an intact dist/ leaves it as it was, and says so', () => {
    const outdir = path.join(tempDir(), 'dist');
    synthToDist(twoClusterApp(), { outdir, cdk8sOutdir: outdir });
    const before = snapshotTree(outdir);
    const { lines } = runSynthCapturing(() => { throw new Error('a construct error'); }, outdir);
    expect(lines).toEqual([`synth failed; ${outdir}/ was left as it was.\na construct error`]);
    expect(snapshotTree(outdir)).toEqual(before);
  });
});

describe('the output folder lock', () => {
  test('a lock held by a running process makes the synth wait, then fail naming the lock file and its owner', () => {
    // GIVEN a lock owned by a live process (this one, as if another synth held it)
    const outdir = path.join(tempDir(), 'dist');
    const lockFile = lockFileOf(outdir);
    fs.writeFileSync(lockFile, JSON.stringify({ pid: process.pid, host: os.hostname() }));
    const lines: string[] = [];

    // WHEN / THEN
    const started = Date.now();
    expect(() => synthToDist(twoClusterApp(), { outdir, cdk8sOutdir: outdir, timeoutMs: 300, log: (l) => lines.push(l) }))
      .toThrow(`another synth (pid ${process.pid} on host ${os.hostname()}) has held the lock ${lockFile} for 0.3 s; gave up waiting. If no synth is running, delete the lock file.`);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(lines).toEqual([`synth: waiting for another synth (pid ${process.pid} on host ${os.hostname()}) to finish; lock file ${lockFile}`]);
    expect(fs.existsSync(outdir)).toBe(false);
  });

  test('a stale lock (its owner no longer runs) is taken over, saying so', () => {
    // GIVEN a lock left by a process that has exited
    const outdir = path.join(tempDir(), 'dist');
    const dead = spawnSync('true');
    fs.writeFileSync(lockFileOf(outdir), JSON.stringify({ pid: dead.pid, host: os.hostname() }));
    const lines: string[] = [];

    // WHEN
    synthToDist(twoClusterApp(), { outdir, cdk8sOutdir: outdir, log: (l) => lines.push(l) });

    // THEN
    expect(lines).toEqual([`synth: took over the stale lock ${lockFileOf(outdir)} of pid ${dead.pid}, which no longer runs`]);
    expect(fs.readdirSync(path.dirname(outdir))).toEqual(['dist']);
  });
});
