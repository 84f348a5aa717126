import { cliManifestFile, clusterOfFile, constructMetadataKey } from '../../lib/validation/clusters';

describe('clusters in cdk8s-cli output files', () => {
  test.each(['my-cluster', 'Prod', 'team_a-2'])('GIVEN the chart %s WHEN its CLI file is read back THEN the cluster is the chart id', (chartId) => {
    expect(clusterOfFile(`.cdk8s.out/${cliManifestFile(chartId)}`)).toBe(chartId);
    expect(clusterOfFile(`out/templates/${cliManifestFile(chartId)}`)).toBe(chartId);
  });

  test("GIVEN cdk8s's folder per chart, a file per resource WHEN read THEN the folder is the cluster", () => {
    expect(clusterOfFile('dist/alpha/EC2NodeClass.soci.k8s.yaml')).toBe('alpha');
    expect(clusterOfFile('dist/alpha/NodePool.soci.k8s.yaml')).toBe('alpha');
  });

  test('GIVEN one name in two clusters and two kinds THEN four metadata keys', () => {
    const keys = ['alpha', 'beta'].flatMap((c) => ['EC2NodeClass', 'NodePool'].map((k) => constructMetadataKey(c, k, 'soci')));
    expect(new Set(keys).size).toBe(4);
  });
});
