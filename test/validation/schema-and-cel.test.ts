import { parse } from '@bufbuild/cel';
import { celExpressions, countCelRules, serializeParseTree } from '../../lib/validation/cel-rules';
import { ec2NodeClassCrdSchema, nodePoolCrdSchema } from '../../lib/validation/schemas';
import { validateManifests } from '../../lib/validation';
import { Json, setAt, validNodeClass, validNodePool } from './fixtures';

function errorsOf(manifests: Json[]) {
  return validateManifests(manifests).errors;
}

describe('CEL rule inventory', () => {
  test('GIVEN the pinned CRDs WHEN their rules are counted THEN they are the 54 + 20 rules of Karpenter v1.14.1', () => {
    // WHEN
    const nodeClass = countCelRules(ec2NodeClassCrdSchema());
    const nodePool = countCelRules(nodePoolCrdSchema());
    // THEN
    expect(nodeClass).toEqual({ total: 54, transition: 0 });
    expect(nodePool).toEqual({ total: 20, transition: 3 });
  });

  test('GIVEN the valid fixtures WHEN validated THEN no error and the evaluated/skipped counts are exact', () => {
    // WHEN
    const report = validateManifests([validNodeClass(), validNodePool()]);
    // THEN
    expect(report.errors).toEqual([]);
    // Each rule counts once per node it runs on: a rule on requirements[].key runs once per requirement,
    // rules on absent optional fields (instanceProfile, capacityReservationSelectorTerms...) do not run,
    // and the NodePool's three oldSelf rules are skipped.
    expect({ evaluated: report.celRulesEvaluated, skipped: report.celRulesSkipped }).toEqual({ evaluated: 66, skipped: 3 });
  });
});

type Mutation = readonly [description: string, kind: 'EC2NodeClass' | 'NodePool', pointer: string, value: unknown, expectedPath: string];

const REMOVE = undefined;

const MUTATIONS: readonly Mutation[] = [
  // EC2NodeClass: schema
  ['role is a number', 'EC2NodeClass', '/spec/role', 42, '/spec/role'],
  ['amiFamily not in enum', 'EC2NodeClass', '/spec/amiFamily', 'Ubuntu', '/spec/amiFamily'],
  ['subnet id pattern', 'EC2NodeClass', '/spec/subnetSelectorTerms', [{ id: 'subnet_123' }], '/spec/subnetSelectorTerms/0/id'],
  ['security group id pattern', 'EC2NodeClass', '/spec/securityGroupSelectorTerms', [{ id: 'group-1' }], '/spec/securityGroupSelectorTerms/0/id'],
  ['amiSelectorTerms missing', 'EC2NodeClass', '/spec/amiSelectorTerms', REMOVE, '/spec/amiSelectorTerms'],
  ['block device volumeType', 'EC2NodeClass', '/spec/blockDeviceMappings/0/ebs/volumeType', 'gp4', '/spec/blockDeviceMappings/0/ebs/volumeType'],
  ['block device volumeSize pattern', 'EC2NodeClass', '/spec/blockDeviceMappings/0/ebs/volumeSize', '100GB', '/spec/blockDeviceMappings/0/ebs/volumeSize'],
  ['metadataOptions hop limit 0', 'EC2NodeClass', '/spec/metadataOptions/httpPutResponseHopLimit', 0, '/spec/metadataOptions/httpPutResponseHopLimit'],
  ['metadataOptions httpTokens enum', 'EC2NodeClass', '/spec/metadataOptions/httpTokens', 'always', '/spec/metadataOptions/httpTokens'],
  ['instanceStorePolicy enum', 'EC2NodeClass', '/spec/instanceStorePolicy', 'RAID1', '/spec/instanceStorePolicy'],
  ['userData is not a string', 'EC2NodeClass', '/spec/userData', { script: 'x' }, '/spec/userData'],
  ['unknown field (typo)', 'EC2NodeClass', '/spec/instanceStorePolicyy', 'RAID0', '/spec/instanceStorePolicyy'],
  ['kubelet maxPods negative', 'EC2NodeClass', '/spec/kubelet/maxPods', -1, '/spec/kubelet/maxPods'],
  // EC2NodeClass: CEL
  ['role and instanceProfile', 'EC2NodeClass', '/spec/instanceProfile', 'KarpenterNodeInstanceProfile', '/spec'],
  ['neither role nor instanceProfile', 'EC2NodeClass', '/spec/role', REMOVE, '/spec'],
  ['alias mixed with id', 'EC2NodeClass', '/spec/amiSelectorTerms/0/id', 'ami-0123456789abcdef0', '/spec/amiSelectorTerms'],
  ['alias with a second term', 'EC2NodeClass', '/spec/amiSelectorTerms/1', { id: 'ami-0123456789abcdef0' }, '/spec/amiSelectorTerms'],
  ['alias family unknown', 'EC2NodeClass', '/spec/amiSelectorTerms/0/alias', 'ubuntu@latest', '/spec/amiSelectorTerms/0/alias'],
  ['alias without version', 'EC2NodeClass', '/spec/amiSelectorTerms/0/alias', 'al2023', '/spec/amiSelectorTerms/0/alias'],
  ['amiFamily contradicts alias', 'EC2NodeClass', '/spec/amiFamily', 'Bottlerocket', '/spec'],
  ['no alias and no amiFamily', 'EC2NodeClass', '/spec/amiSelectorTerms/0', { id: 'ami-0123456789abcdef0' }, '/spec'],
  ['two root volumes', 'EC2NodeClass', '/spec/blockDeviceMappings/1', { deviceName: '/dev/xvdb', rootVolume: true, ebs: { volumeSize: '20Gi' } }, '/spec/blockDeviceMappings'],
  ['ebs without size or snapshot', 'EC2NodeClass', '/spec/blockDeviceMappings/0/ebs/volumeSize', REMOVE, '/spec/blockDeviceMappings/0/ebs'],
  ['empty capacityReservationSelectorTerms', 'EC2NodeClass', '/spec/capacityReservationSelectorTerms', [], '/spec/capacityReservationSelectorTerms'],
  ['restricted tag', 'EC2NodeClass', '/spec/tags/karpenter.sh~1nodepool', 'x', '/spec/tags'],
  ['image GC high not above low', 'EC2NodeClass', '/spec/kubelet/imageGCLowThresholdPercent', 90, '/spec/kubelet'],
  ['kubeReserved negative', 'EC2NodeClass', '/spec/kubelet/kubeReserved', { cpu: '-100m' }, '/spec/kubelet/kubeReserved'],
  ['connectionTracking without any timeout', 'EC2NodeClass', '/spec/connectionTracking', {}, '/spec/connectionTracking'],
  ['empty role', 'EC2NodeClass', '/spec/role', '', '/spec/role'],
  ['associatePublicIPAddress not a boolean', 'EC2NodeClass', '/spec/associatePublicIPAddress', 'yes', '/spec/associatePublicIPAddress'],
  // NodePool: schema
  ['weight 0', 'NodePool', '/spec/weight', 0, '/spec/weight'],
  ['weight 101', 'NodePool', '/spec/weight', 101, '/spec/weight'],
  ['weight is a string', 'NodePool', '/spec/weight', '10', '/spec/weight'],
  ["expireAfter '1d'", 'NodePool', '/spec/template/spec/expireAfter', '1d', '/spec/template/spec/expireAfter'],
  ['terminationGracePeriod Never', 'NodePool', '/spec/template/spec/terminationGracePeriod', 'Never', '/spec/template/spec/terminationGracePeriod'],
  ['consolidateAfter missing', 'NodePool', '/spec/disruption/consolidateAfter', REMOVE, '/spec/disruption/consolidateAfter'],
  ['consolidationPolicy enum', 'NodePool', '/spec/disruption/consolidationPolicy', 'Always', '/spec/disruption/consolidationPolicy'],
  ['budget nodes pattern', 'NodePool', '/spec/disruption/budgets/0/nodes', 'ten', '/spec/disruption/budgets/0/nodes'],
  ['budget reason enum', 'NodePool', '/spec/disruption/budgets/1/reasons', ['Expired'], '/spec/disruption/budgets/1/reasons/0'],
  ['requirement operator enum', 'NodePool', '/spec/template/spec/requirements/0/operator', 'Equals', '/spec/template/spec/requirements/0/operator'],
  ['taint effect enum', 'NodePool', '/spec/template/spec/taints/0/effect', 'NoRun', '/spec/template/spec/taints/0/effect'],
  ['limits value not a quantity', 'NodePool', '/spec/limits/cpu', 'lots', '/spec/limits/cpu'],
  ['limits value of the wrong type', 'NodePool', '/spec/limits/cpu', true, '/spec/limits/cpu'],
  ['nodeClassRef missing', 'NodePool', '/spec/template/spec/nodeClassRef', REMOVE, '/spec/template/spec/nodeClassRef'],
  ['requirements minValues 0', 'NodePool', '/spec/template/spec/requirements/0/minValues', 0, '/spec/template/spec/requirements/0/minValues'],
  // NodePool: CEL
  ['schedule without duration', 'NodePool', '/spec/disruption/budgets/1/duration', REMOVE, '/spec/disruption/budgets'],
  ['In without values', 'NodePool', '/spec/template/spec/requirements/0/values', [], '/spec/template/spec/requirements'],
  ['Gt with a non-integer', 'NodePool', '/spec/template/spec/requirements/2', { key: 'karpenter.k8s.aws/instance-cpu', operator: 'Gt', values: ['four'] }, '/spec/template/spec/requirements'],
  ['Gt with two values', 'NodePool', '/spec/template/spec/requirements/2', { key: 'karpenter.k8s.aws/instance-cpu', operator: 'Gt', values: ['4', '8'] }, '/spec/template/spec/requirements'],
  ['minValues above the values count', 'NodePool', '/spec/template/spec/requirements/1/minValues', 2, '/spec/template/spec/requirements'],
  ['restricted label key', 'NodePool', '/spec/template/metadata/labels/karpenter.sh~1nodepool', 'x', '/spec/template/metadata/labels'],
  ['restricted requirement key domain', 'NodePool', '/spec/template/spec/requirements/0/key', 'karpenter.sh/custom', '/spec/template/spec/requirements/0/key'],
  ['empty nodeClassRef name', 'NodePool', '/spec/template/spec/nodeClassRef/name', '', '/spec/template/spec/nodeClassRef/name'],
];

describe('mutation check: each broken field is rejected at its JSON path', () => {
  test('GIVEN the mutation table THEN it covers at least 30 fields across both kinds', () => {
    expect(MUTATIONS.length).toBeGreaterThanOrEqual(30);
    expect(new Set(MUTATIONS.map((m) => m[1]))).toEqual(new Set(['EC2NodeClass', 'NodePool']));
  });

  test.each(MUTATIONS)('GIVEN a valid %s mutation WHEN validated THEN an error at the expected path', (_description, kind, pointer, value, expectedPath) => {
    // GIVEN
    const nodeClass = validNodeClass();
    const nodePool = validNodePool();
    setAt(kind === 'EC2NodeClass' ? nodeClass : nodePool, pointer, value);
    // WHEN
    const errors = errorsOf([nodeClass, nodePool]);
    // THEN
    const paths = errors.map((e) => e.jsonPath);
    expect(paths).toContain(expectedPath);
    expect(errors.find((e) => e.jsonPath === expectedPath)?.kind).toBe(kind);
  });
});

describe('schema findings', () => {
  test('GIVEN an enum violation WHEN validated THEN the message names the allowed values', () => {
    const nodePool = setAt(validNodePool(), '/spec/template/spec/taints/0/effect', 'NoRun');
    const error = errorsOf([validNodeClass(), nodePool]).find((e) => e.jsonPath.endsWith('/effect'));
    expect(error?.message).toContain('"NoSchedule", "PreferNoSchedule", "NoExecute"');
    expect(error?.value).toBe('NoRun');
    expect(error?.rule).toBe('schema');
  });

  test('GIVEN a failing CEL rule WHEN validated THEN the finding carries the rule message and rule text', () => {
    const nodeClass = setAt(validNodeClass(), '/spec/instanceProfile', 'profile');
    const error = errorsOf([nodeClass, validNodePool()]).find((e) => e.rule === 'cel');
    expect(error?.message).toContain("must specify exactly one of ['role', 'instanceProfile']");
    expect(error?.message).toContain('has(self.role)');
  });

  test('GIVEN a Windows alias with a pinned version WHEN validated THEN the split()-based rule rejects it', () => {
    const nodeClass = setAt(validNodeClass(), '/spec/amiSelectorTerms/0/alias', 'windows2022@v1');
    delete nodeClass.spec.userData;
    const messages = errorsOf([nodeClass, validNodePool()]).map((e) => e.message);
    expect(messages.some((m) => m.startsWith('windows families may only specify version'))).toBe(true);
  });

  test('GIVEN a Bottlerocket alias with amiFamily AL2023 WHEN validated THEN the find()-based rule rejects it, and AL2023 with AL2023 passes', () => {
    const wrong = setAt(setAt(validNodeClass(), '/spec/amiSelectorTerms/0/alias', 'bottlerocket@v1.50.0'), '/spec/amiFamily', 'AL2023');
    delete wrong.spec.userData;
    const right = setAt(validNodeClass(), '/spec/amiFamily', 'AL2023');
    expect(errorsOf([wrong]).map((e) => e.message)).toContain("if set, amiFamily must be 'Bottlerocket' or 'Custom' when using a Bottlerocket alias (rule: " + ec2RuleText('Bottlerocket alias') + ')');
    expect(errorsOf([right, validNodePool()])).toEqual([]);
  });

  test('GIVEN an int-or-string limit WHEN it is an integer THEN it passes', () => {
    const nodePool = setAt(validNodePool(), '/spec/limits/cpu', 1000);
    expect(errorsOf([validNodeClass(), nodePool])).toEqual([]);
  });
});

function ec2RuleText(messageFragment: string): string {
  const found: string[] = [];
  const visit = (node: any): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (node && typeof node === 'object') {
      for (const r of node['x-kubernetes-validations'] ?? []) if (String(r.message).includes(messageFragment)) found.push(r.rule);
      Object.values(node).forEach(visit);
    }
  };
  visit(ec2NodeClassCrdSchema());
  return found[0];
}

describe('loading the CEL library', () => {
  test('GIVEN the parse trees the app bundle embeds WHEN user data is rendered and a valid pool and class are built and validated THEN @bufbuild/cel is never loaded; a value the fast path leaves undecided loads it, once', () => {
    // GIVEN every rule's parse tree, as scripts/bundle-app.mjs embeds them
    const trees = Object.fromEntries(
      [...celExpressions(ec2NodeClassCrdSchema()), ...celExpressions(nodePoolCrdSchema())].map((expression) => [expression, serializeParseTree(parse(expression))!]),
    );
    jest.isolateModules(() => {
      // AND @bufbuild/cel replaced by a module that records its loading
      const loaded = jest.fn();
      jest.doMock('@bufbuild/cel', () => {
        loaded();
        return jest.requireActual('@bufbuild/cel');
      });
      (require('../../lib/precomputed') as typeof import('../../lib/precomputed')).embedPrecomputed({ celParseTrees: () => ({ celVersion: 'bundled', trees }) });

      // WHEN the library renders user data, as the karpenter-soci-userdata command does
      const lib = require('../../lib') as typeof import('../../lib');
      const { runUserdataCli } = require('../../lib/cli/userdata-cli') as typeof import('../../lib/cli/userdata-cli');
      expect(runUserdataCli(['--strategy', 'native']).exitCode).toBe(0);

      // AND a pool and class are built (their constructors check the CRDs' rules) and validated again
      const { App, Chart, Testing } = require('cdk8s') as typeof import('cdk8s');
      const chart = new Chart(new App(), 'lazy', { disableResourceNameHashes: true });
      new lib.NodePool(chart, 'Soci', { nodeClass: new lib.Ec2NodeClass(chart, 'SociClass', { role: 'KarpenterNodeRole-lazy', discoveryTag: 'lazy' }) });
      const report = lib.validateManifests(Testing.synth(chart));

      // THEN every rule ran, and the CEL library was never loaded
      expect(report.errors).toEqual([]);
      expect(report.celRulesEvaluated).toBeGreaterThan(40);
      expect(loaded).not.toHaveBeenCalled();

      // AND WHEN a rule meets a value the fast path leaves to the library (int('+5')) THEN it is loaded, once
      lib.validateManifests([setAt(validNodePool(), '/spec/template/spec/requirements/2/values', ['+5'])]);
      lib.validateManifests([setAt(validNodePool(), '/spec/template/spec/requirements/2/values', ['+6'])]);
      expect(loaded).toHaveBeenCalledTimes(1);
    });
  });
});
