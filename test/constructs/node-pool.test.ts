import { ApiObject, JsonPatch, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import {
  NodePoolSpecDisruptionConsolidationPolicy,
  NodePoolSpecTemplateSpecStartupTaintsEffect,
  NodePoolSpecTemplateSpecTaintsEffect,
} from '../../imports/karpenter.sh';
import { AmiAliasFamily, INodeBootstrap } from '../../lib/bootstrap/node-bootstrap';
import { Ec2NodeClass, NodePool, NodePoolProps, Requirement, WellKnownLabels } from '../../lib/constructs';
import { SociBootstrap } from '../../lib/bootstrap';
import { ConfigError } from '../../lib/errors';
import { SociGuard } from '../../lib/validation/acknowledgements';

function nodeClassIn(scope: Construct, bootstrap?: INodeBootstrap): Ec2NodeClass {
  return new Ec2NodeClass(scope, 'SociSnapshotter', { role: 'KarpenterNodeRole-test', discoveryTag: 'test', bootstrap });
}

function synthPool(props: Partial<NodePoolProps> = {}, bootstrap?: INodeBootstrap) {
  const chart = Testing.chart();
  new NodePool(chart, 'GeneralPurpose', { nodeClass: nodeClassIn(chart, bootstrap), ...props });
  return Testing.synth(chart).find((m) => m.kind === 'NodePool');
}

function constructError(props: Partial<NodePoolProps>): ConfigError {
  const chart = Testing.chart();
  try {
    new NodePool(chart, 'Pool', { nodeClass: nodeClassIn(chart), ...props } as NodePoolProps);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('NodePool', () => {
  test('references its node class and has Karpenter-valid defaults', () => {
    // GIVEN a pool with only a node class
    // WHEN synthesized
    const pool = synthPool();

    // THEN
    expect(pool.apiVersion).toBe('karpenter.sh/v1');
    expect(pool.metadata).toEqual({ name: 'general-purpose' });
    expect(pool.spec.template.spec.nodeClassRef).toEqual({ group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'soci-snapshotter' });
    expect(pool.spec.template.spec.requirements).toEqual([
      { key: 'kubernetes.io/os', operator: 'In', values: ['linux'] },
      { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['on-demand'] },
      { key: 'karpenter.k8s.aws/instance-category', operator: 'In', values: ['c', 'm', 'r'] },
      { key: 'karpenter.k8s.aws/instance-generation', operator: 'Gt', values: ['2'] },
    ]);
    expect(pool.spec.template.spec.expireAfter).toBe('720h');
    expect(pool.spec.disruption).toEqual({ consolidationPolicy: 'WhenEmptyOrUnderutilized', consolidateAfter: '0s' });
    expect(pool.spec.weight).toBeUndefined();
    expect(pool.spec.limits).toBeUndefined();
    expect(pool.spec.template.spec.taints).toBeUndefined();
  });

  test('every NodePool field is expressible', () => {
    // GIVEN all props
    const pool = synthPool({
      metadata: { name: 'gpu', labels: { team: 'ml' } },
      requirements: [Requirement.in(WellKnownLabels.ARCH, 'arm64'), Requirement.greaterThan(WellKnownLabels.INSTANCE_CPU, 15)],
      labels: { workload: 'inference' },
      nodeAnnotations: { 'example.com/owner': 'ml' },
      taints: [{ key: 'nvidia.com/gpu', effect: NodePoolSpecTemplateSpecTaintsEffect.NO_SCHEDULE }],
      startupTaints: [{ key: 'example.com/agent-not-ready', effect: NodePoolSpecTemplateSpecStartupTaintsEffect.NO_EXECUTE }],
      limits: { cpu: 1000, memory: '1000Gi' },
      weight: 50,
      expireAfter: 'Never',
      terminationGracePeriod: '48h',
      disruption: {
        consolidationPolicy: NodePoolSpecDisruptionConsolidationPolicy.WHEN_EMPTY,
        consolidateAfter: '5m',
        budgets: [{ nodes: '20%' }],
      },
    });

    // THEN each reaches the manifest
    expect(pool.metadata).toEqual({ name: 'gpu', labels: { team: 'ml' } });
    expect(pool.spec.template.metadata).toEqual({ labels: { workload: 'inference' }, annotations: { 'example.com/owner': 'ml' } });
    expect(pool.spec.template.spec.requirements).toEqual([
      { key: 'kubernetes.io/arch', operator: 'In', values: ['arm64'] },
      { key: 'karpenter.k8s.aws/instance-cpu', operator: 'Gt', values: ['15'] },
    ]);
    expect(pool.spec.template.spec.taints).toEqual([{ key: 'nvidia.com/gpu', effect: 'NoSchedule' }]);
    expect(pool.spec.template.spec.startupTaints).toEqual([{ key: 'example.com/agent-not-ready', effect: 'NoExecute' }]);
    expect(pool.spec.limits).toEqual({ cpu: 1000, memory: '1000Gi' });
    expect(pool.spec.weight).toBe(50);
    expect(pool.spec.template.spec.expireAfter).toBe('Never');
    expect(pool.spec.template.spec.terminationGracePeriod).toBe('48h');
    expect(pool.spec.disruption).toEqual({ consolidationPolicy: 'WhenEmpty', consolidateAfter: '5m', budgets: [{ nodes: '20%' }] });
  });

  test("the node class's bootstrap requirements are added to the pool's", () => {
    // GIVEN a bootstrap that needs big instances
    const bootstrap: INodeBootstrap = {
      name: 'TestBootstrap',
      amiFamilies: [AmiAliasFamily.AL2023],
      nodeRequirements: [Requirement.greaterThan(WellKnownLabels.INSTANCE_CPU, 3)],
      renderUserData: () => undefined,
    };

    // WHEN a pool with its own requirements uses the class
    const pool = synthPool({ requirements: [Requirement.in(WellKnownLabels.ARCH, 'amd64')] }, bootstrap);

    // THEN both sets are there, the pool's first
    expect(pool.spec.template.spec.requirements).toEqual([
      { key: 'kubernetes.io/arch', operator: 'In', values: ['amd64'] },
      { key: 'karpenter.k8s.aws/instance-cpu', operator: 'Gt', values: ['3'] },
    ]);
  });

  test('the pool depends on its class, so the class is synthesized first', () => {
    const chart = Testing.chart();
    const nodeClass = nodeClassIn(chart);
    new NodePool(chart, 'A', { nodeClass });
    expect(Testing.synth(chart).map((m) => m.kind)).toEqual(['EC2NodeClass', 'NodePool']);
  });

  test('the L1 object is the child "Resource"', () => {
    const chart = Testing.chart();
    const pool = new NodePool(chart, 'Pool', { nodeClass: nodeClassIn(chart) });
    ApiObject.of(pool).addJsonPatch(JsonPatch.add('/spec/template/spec/expireAfter', '24h'));
    expect(Testing.synth(chart)[1].spec.template.spec.expireAfter).toBe('24h');
  });
});

describe('NodePool bad input', () => {
  test.each([
    ['weight 0', { weight: 0 }, 'weight', 'integer from 1 to 100'],
    ['weight 101', { weight: 101 }, 'weight', 'integer from 1 to 100'],
    ['fractional weight', { weight: 1.5 }, 'weight', 'integer from 1 to 100'],
    ['expireAfter in days', { expireAfter: '30d' }, 'expireAfter', 'no days'],
    ['expireAfter with decimals', { expireAfter: '1.5h' }, 'expireAfter', 'no days, no decimals'],
    ['terminationGracePeriod Never', { terminationGracePeriod: 'Never' }, 'terminationGracePeriod', 'duration'],
    ['consolidateAfter empty', { disruption: { consolidateAfter: '' } }, 'disruption.consolidateAfter', 'duration'],
    ['negative limit', { limits: { cpu: -1 } }, 'limits.cpu', 'non-negative'],
    ['malformed quantity', { limits: { memory: '10 GB' } }, 'limits.memory', 'quantity'],
    ['name that is not a DNS-1123 label', { metadata: { name: 'GPU.Pool' } }, 'metadata.name', 'DNS-1123 label'],
    ['no node class', { nodeClass: undefined }, 'nodeClass', 'every NodePool needs one'],
    ['a label Karpenter reserves (CRD rule)', { labels: { 'karpenter.sh/nodepool': 'x' } }, 'spec.template.metadata.labels', 'restricted'],
    ['a negative Gt bound (CRD rule)', { requirements: [Requirement.greaterThan(WellKnownLabels.INSTANCE_CPU, -1)] }, 'spec.template.spec.requirements', 'must have a single positive integer value'],
  ])('%s', (_case, props, field, allowed) => {
    // WHEN constructed with the bad prop
    const err = constructError(props as Partial<NodePoolProps>);

    // THEN the message names the construct path, the field, the value and what is allowed
    expect(err.where).toBe('test/Pool');
    expect(err.field).toBe(field);
    expect(err.message).toContain(allowed);
  });
});

describe('NodePool at synth', () => {
  function poolWithSmallInstances(acknowledge: SociGuard[] = []) {
    // A native-gate class, and a pool patched to allow only a 2 vCPU / 2 GiB type.
    const chart = Testing.chart();
    const nodeClass = new Ec2NodeClass(chart, 'Nodes', { role: 'r', discoveryTag: 'd', bootstrap: SociBootstrap.native() });
    const pool = new NodePool(chart, 'Pool', { nodeClass, acknowledge });
    ApiObject.of(pool).addJsonPatch(JsonPatch.replace('/spec/template/spec/requirements', [Requirement.in(WellKnownLabels.INSTANCE_TYPE, 't3.small')]));
    return chart;
  }

  test('the FastImagePull gate on a pool that allows small instances fails the synth', () => {
    expect(() => Testing.synth(poolWithSmallInstances())).toThrow(/\[test\/Pool\] ERROR \[small-instances\] .*\/spec\/template\/spec\/requirements/);
  });

  test('acknowledged on the pool, it synthesizes', () => {
    expect(Testing.synth(poolWithSmallInstances([SociGuard.SMALL_INSTANCES]))).toHaveLength(2);
  });
});
