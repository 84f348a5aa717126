// A team's cdk8s app, as `cdk8s init typescript-app` lays it out, using the packed library by name.
import { App, Chart, ChartProps } from 'cdk8s';
import { Construct } from 'constructs';
import {
  AmiSelector,
  Ec2NodeClass,
  Ec2NodeClassProps,
  Ec2NodeClassSpecInstanceStorePolicy,
  NodePool,
  NodePoolProps,
  NodePoolSpecDisruptionConsolidationPolicy,
  NodePoolSpecTemplateSpecTaintsEffect,
  SociBootstrap,
} from 'cdk8s-karpenter-soci';
import type { KarpenterSociValidationProperties } from 'cdk8s-karpenter-soci/plugin';

/** The team's node class: a larger data volume by default, every other default kept. */
export class TeamNodeClass extends Ec2NodeClass {
  constructor(scope: Construct, id: string, props: Ec2NodeClassProps) {
    super(scope, id, { dataVolume: { sizeGiB: 250 }, ...props });
  }
}

/** The team's pools: consolidate only when empty unless told otherwise. */
export class TeamNodePool extends NodePool {
  constructor(scope: Construct, id: string, props: NodePoolProps) {
    super(scope, id, { disruption: { consolidationPolicy: NodePoolSpecDisruptionConsolidationPolicy.WHEN_EMPTY }, ...props });
  }
}

export interface ClusterChartProps extends ChartProps {
  readonly clusterName: string;
}

/** One cluster: a SOCI node class and a tainted pool. */
export class ClusterChart extends Chart {
  constructor(scope: Construct, id: string, props: ClusterChartProps) {
    super(scope, id, { disableResourceNameHashes: true, ...props });
    const nodeClass = new TeamNodeClass(this, 'Soci', {
      metadata: { name: 'soci' },
      role: `KarpenterNodeRole-${props.clusterName}`,
      discoveryTag: props.clusterName,
      amiSelectorTerms: AmiSelector.alias('al2023@v20260724'),
      instanceStorePolicy: Ec2NodeClassSpecInstanceStorePolicy.RAID0,
      bootstrap: SociBootstrap.native(),
    });
    new TeamNodePool(this, 'Builds', {
      metadata: { name: 'builds' },
      nodeClass,
      taints: [{ key: 'team.example.com/builds', value: 'true', effect: NodePoolSpecTemplateSpecTaintsEffect.NO_SCHEDULE }],
    });
  }
}

/** What the plugin entry in cdk8s.yaml may set (type only: checks the plugin's declarations resolve). */
export const pluginProperties: KarpenterSociValidationProperties = { helmEscaping: false };

const app = new App();
new ClusterChart(app, 'blue', { clusterName: 'blue' });
new ClusterChart(app, 'green', { clusterName: 'green' });
app.synth();
