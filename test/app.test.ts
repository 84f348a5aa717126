import * as fs from 'node:fs';
import * as path from 'node:path';
import { renderDistFiles, synthesizeCharts } from '../lib/output';
import { buildApp } from '../main';

const ROOT = path.resolve(__dirname, '..');

function defaultManifests() {
  const chart = synthesizeCharts(buildApp()).find((c) => c.chartId === 'my-cluster')!;
  const byKind = (kind: string) => chart.manifests.find((m) => m.kind === kind) as any;
  return { chart, nodeClass: byKind('EC2NodeClass'), nodePool: byKind('NodePool') };
}

describe('the default app (cluster my-cluster)', () => {
  test("synthesizes the seed's EC2NodeClass", () => {
    // GIVEN / WHEN
    const { chart, nodeClass } = defaultManifests();

    // THEN
    expect(chart.chartId).toBe('my-cluster');
    expect(nodeClass.metadata.name).toBe('soci-snapshotter');
    expect(nodeClass.spec.role).toBe('KarpenterNodeRole-my-cluster');
    expect(nodeClass.spec.instanceStorePolicy).toBe('RAID0');
    expect(nodeClass.spec.subnetSelectorTerms).toEqual([{ tags: { 'karpenter.sh/discovery': 'my-cluster-private' } }]);
    expect(nodeClass.spec.securityGroupSelectorTerms).toEqual([{ tags: { 'karpenter.sh/discovery': 'my-cluster-private' } }]);
    expect(nodeClass.spec.amiSelectorTerms).toEqual([{ alias: 'al2023@latest' }]);
    expect(nodeClass.spec.metadataOptions.httpTokens).toBe('required');
    expect(nodeClass.spec.blockDeviceMappings[0].ebs).toMatchObject({ volumeType: 'gp3', encrypted: true });
  });

  test('synthesizes a NodePool that uses it', () => {
    const { nodePool } = defaultManifests();
    expect(nodePool.metadata.name).toBe('soci-snapshotter');
    expect(nodePool.spec.template.spec.nodeClassRef).toEqual({ group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'soci-snapshotter' });
    expect(nodePool.spec.disruption.consolidateAfter).toBeDefined();
  });

  test('the committed cluster folders of dist/ are exactly what the app synthesizes from clusters/', () => {
    // GIVEN the files a synth would write, one folder per cluster file
    const charts = synthesizeCharts(buildApp());
    expect(charts.map((c) => c.chartId)).toEqual(['edge-bottlerocket', 'legacy-manual', 'my-cluster', 'pull-lab']);
    const expected = renderDistFiles(charts);

    // THEN the cluster folders hold those files and no others, byte for byte (dist/helm/ is tested with the chart)
    const inClusterFolder = (file: string) => charts.some((c) => file.startsWith(`${c.chartId}${path.sep}`));
    const committed = fs.readdirSync(path.join(ROOT, 'dist'), { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => path.relative(path.join(ROOT, 'dist'), path.join(e.parentPath, e.name)))
      .filter(inClusterFolder)
      .sort();
    expect(committed).toEqual([...expected.keys()].filter(inClusterFolder).sort());
    for (const [file, content] of expected) {
      expect(fs.readFileSync(path.join(ROOT, 'dist', file), 'utf8')).toBe(content);
    }
  });
});
