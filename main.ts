import { App, Chart } from 'cdk8s';
import { Ec2NodeClassSpecInstanceStorePolicy } from './imports/karpenter.k8s.aws';
import { SociBootstrap } from './lib/bootstrap';
import { AmiSelector, Ec2NodeClass, NodePool } from './lib/constructs';
import { runSynth } from './lib/output';

/** The example cluster this app synthesizes into `dist/my-cluster/`. */
const CLUSTER = 'my-cluster';

/**
 * One chart per cluster: an EC2NodeClass whose nodes pull images through SOCI in
 * parallel-pull mode, and a NodePool that launches them.
 */
export function buildApp(app: App = new App()): App {
  const chart = new Chart(app, CLUSTER, { disableResourceNameHashes: true });

  const nodeClass = new Ec2NodeClass(chart, 'SociSnapshotter', {
    metadata: { name: 'soci-snapshotter' },
    role: `KarpenterNodeRole-${CLUSTER}`,
    instanceStorePolicy: Ec2NodeClassSpecInstanceStorePolicy.RAID0,
    discoveryTag: `${CLUSTER}-private`,
    amiSelectorTerms: [...AmiSelector.AL2023_LATEST],
    // al2023@latest ships SOCI and nodeadm's FastImagePull gate: no download at boot.
    bootstrap: SociBootstrap.native(),
  });

  new NodePool(chart, 'SociSnapshotterPool', {
    metadata: { name: 'soci-snapshotter' },
    nodeClass,
  });

  return app;
}

if (require.main === module) {
  runSynth(() => buildApp());
}
