import { ApiObject, JsonPatch, Testing } from 'cdk8s';
import { Ec2NodeClassSpecAmiFamily, Ec2NodeClassSpecInstanceStorePolicy } from '../../imports/karpenter.k8s.aws';
import { SociBootstrap } from '../../lib/bootstrap';
import { AmiSelector, Ec2NodeClass, Ec2NodeClassProps } from '../../lib/constructs';
import { ConfigError } from '../../lib/errors';
import { UserDataPart } from '../../lib/userdata/user-data-part';
import { ACKNOWLEDGE_ANNOTATION, SociGuard } from '../../lib/validation/acknowledgements';

const BASE: Ec2NodeClassProps = { role: 'KarpenterNodeRole-test', discoveryTag: 'test-private' };

function synthNodeClass(props: Partial<Ec2NodeClassProps> = {}, id = 'SociSnapshotter') {
  const chart = Testing.chart();
  new Ec2NodeClass(chart, id, { ...BASE, ...props } as Ec2NodeClassProps);
  const [manifest] = Testing.synth(chart);
  return manifest;
}

function constructError(props: Partial<Ec2NodeClassProps>, id = 'Nodes'): ConfigError {
  const chart = Testing.chart();
  try {
    new Ec2NodeClass(chart, id, { ...BASE, ...props } as Ec2NodeClassProps);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('Ec2NodeClass defaults', () => {
  test('a minimal class is an AL2023 class with IMDSv2, an encrypted gp3 root volume and discovery selectors', () => {
    // GIVEN only a role and a discovery tag
    // WHEN synthesized
    const manifest = synthNodeClass();

    // THEN
    expect(manifest.apiVersion).toBe('karpenter.k8s.aws/v1');
    expect(manifest.kind).toBe('EC2NodeClass');
    expect(manifest.metadata).toEqual({ name: 'soci-snapshotter' });
    expect(manifest.spec.role).toBe('KarpenterNodeRole-test');
    expect(manifest.spec.instanceProfile).toBeUndefined();
    expect(manifest.spec.amiSelectorTerms).toEqual([{ alias: 'al2023@latest' }]);
    expect(manifest.spec.amiFamily).toBeUndefined();
    expect(manifest.spec.subnetSelectorTerms).toEqual([{ tags: { 'karpenter.sh/discovery': 'test-private' } }]);
    expect(manifest.spec.securityGroupSelectorTerms).toEqual([{ tags: { 'karpenter.sh/discovery': 'test-private' } }]);
    expect(manifest.spec.metadataOptions).toEqual({
      httpEndpoint: 'enabled', httpProtocolIPv6: 'disabled', httpPutResponseHopLimit: 1, httpTokens: 'required',
    });
    expect(manifest.spec.blockDeviceMappings).toEqual([{
      deviceName: '/dev/xvda',
      rootVolume: true,
      ebs: { volumeType: 'gp3', volumeSize: '100Gi', iops: 3000, throughput: 600, encrypted: true, deleteOnTermination: true },
    }]);
    expect(manifest.spec.userData).toBeUndefined();
    expect(manifest.spec.instanceStorePolicy).toBeUndefined();
  });

  test('every field of the seed class is expressible', () => {
    // GIVEN the seed's settings plus tags, kubelet, data volume and explicit selectors
    const manifest = synthNodeClass({
      instanceProfile: 'KarpenterNodeInstanceProfile', role: undefined,
      instanceStorePolicy: Ec2NodeClassSpecInstanceStorePolicy.RAID0,
      subnetSelectorTerms: [{ id: 'subnet-0123456789abcdef0' }],
      securityGroupSelectorTerms: [{ name: 'nodes' }],
      amiSelectorTerms: AmiSelector.alias('al2023@v20260724'),
      dataVolume: { sizeGiB: 200, iops: 6000, throughputMiBps: 1000, kmsKeyId: 'arn:aws:kms:eu-west-1:111122223333:key/abc' },
      metadataOptions: { httpPutResponseHopLimit: 2 },
      tags: { team: 'platform' },
      kubelet: { maxPods: 110, imageGcHighThresholdPercent: 85, imageGcLowThresholdPercent: 80 },
    });

    // THEN each one reaches the manifest, with the CRD's field names
    expect(manifest.spec.instanceProfile).toBe('KarpenterNodeInstanceProfile');
    expect(manifest.spec.role).toBeUndefined();
    expect(manifest.spec.instanceStorePolicy).toBe('RAID0');
    expect(manifest.spec.subnetSelectorTerms).toEqual([{ id: 'subnet-0123456789abcdef0' }]);
    expect(manifest.spec.securityGroupSelectorTerms).toEqual([{ name: 'nodes' }]);
    expect(manifest.spec.amiSelectorTerms).toEqual([{ alias: 'al2023@v20260724' }]);
    expect(manifest.spec.blockDeviceMappings[0].ebs).toEqual({
      volumeType: 'gp3', volumeSize: '200Gi', iops: 6000, throughput: 1000, encrypted: true, deleteOnTermination: true,
      kmsKeyID: 'arn:aws:kms:eu-west-1:111122223333:key/abc',
    });
    expect(manifest.spec.metadataOptions.httpPutResponseHopLimit).toBe(2);
    expect(manifest.spec.metadataOptions.httpTokens).toBe('required');
    expect(manifest.spec.tags).toEqual({ team: 'platform' });
    expect(manifest.spec.kubelet).toEqual({ maxPods: 110, imageGCHighThresholdPercent: 85, imageGCLowThresholdPercent: 80 });
  });

  test('Bottlerocket keeps a small OS volume and puts data on an encrypted /dev/xvdb', () => {
    // GIVEN a Bottlerocket alias
    const manifest = synthNodeClass({ amiSelectorTerms: AmiSelector.alias('bottlerocket@v1.50.0') });

    // THEN
    expect(manifest.spec.blockDeviceMappings.map((m: any) => [m.deviceName, m.ebs.volumeSize, m.ebs.encrypted, m.rootVolume]))
      .toEqual([['/dev/xvda', '4Gi', true, false], ['/dev/xvdb', '100Gi', true, true]]);
  });

  test('non-alias terms need and carry amiFamily', () => {
    // GIVEN AMIs selected by tag
    const manifest = synthNodeClass({
      amiSelectorTerms: [{ tags: { 'soci-ready': 'true' } }],
      amiFamily: Ec2NodeClassSpecAmiFamily.AL2023,
    });

    // THEN
    expect(manifest.spec.amiFamily).toBe('AL2023');
  });

  test('amiFamily Custom is kept next to an alias, and refuses a SOCI bootstrap', () => {
    // GIVEN an alias with amiFamily Custom (user data passed through without Karpenter's merge)
    const manifest = synthNodeClass({ amiFamily: Ec2NodeClassSpecAmiFamily.CUSTOM });

    // THEN the family is written, and a bootstrap that relies on the merge is refused
    expect(manifest.spec.amiFamily).toBe('Custom');
    expect(constructError({ amiFamily: Ec2NodeClassSpecAmiFamily.CUSTOM, bootstrap: SociBootstrap.native() }).message)
      .toContain('needs an AMI of family al2023, but amiSelectorTerms select Custom');
  });

  test('user data parts without a bootstrap are rendered as MIME', () => {
    // GIVEN one shell part
    const manifest = synthNodeClass({ userDataAfter: [UserDataPart.shellScript('#!/bin/bash\necho hello')] });

    // THEN
    expect(manifest.spec.userData).toMatch(/^MIME-Version: 1\.0\nContent-Type: multipart\/mixed; boundary="/);
    expect(manifest.spec.userData).toContain('#!/bin/bash\necho hello');
  });

  test('a pinned AMI at the minimum release is accepted for each bootstrap', () => {
    // GIVEN the oldest AMI releases each bootstrap supports
    const native = synthNodeClass({ amiSelectorTerms: [{ alias: 'al2023@v20250821' }], bootstrap: SociBootstrap.native() });
    const bottlerocket = synthNodeClass({ amiSelectorTerms: [{ alias: 'bottlerocket@v1.44.0' }], bootstrap: SociBootstrap.bottlerocket() });

    // THEN both synthesize with the bootstrap's user data
    expect(native.spec.userData).toContain('FastImagePull: true');
    expect(bottlerocket.spec.userData).toContain('snapshotter = "soci"');
  });

  test('acknowledged guards are recorded in an annotation', () => {
    // GIVEN two acknowledgements, one repeated
    const manifest = synthNodeClass({ acknowledge: [SociGuard.USER_DATA_SIZE, SociGuard.EBS_THROUGHPUT, SociGuard.EBS_THROUGHPUT] });

    // THEN sorted, without duplicates
    expect(manifest.metadata.annotations).toEqual({ [ACKNOWLEDGE_ANNOTATION]: 'ebs-throughput,user-data-size' });
  });

  test('the L1 object is the child "Resource", so JSON patches reach it', () => {
    // GIVEN a patch through the escape hatch
    const chart = Testing.chart();
    const nodeClass = new Ec2NodeClass(chart, 'Nodes', BASE);
    ApiObject.of(nodeClass).addJsonPatch(JsonPatch.add('/spec/detailedMonitoring', true));

    // THEN
    expect(nodeClass.node.defaultChild).toBe(nodeClass.resource);
    expect(Testing.synth(chart)[0].spec.detailedMonitoring).toBe(true);
  });
});

describe('Ec2NodeClass bad input', () => {
  test.each([
    ['both role and instanceProfile', { instanceProfile: 'profile' }, 'role/instanceProfile', 'set exactly one'],
    ['neither role nor instanceProfile', { role: undefined }, 'role/instanceProfile', 'set exactly one'],
    ['an empty role next to an instanceProfile', { role: '', instanceProfile: 'profile' }, 'role', 'non-empty'],
    ['a pinned Windows alias (CRD rule)', { amiSelectorTerms: [{ alias: 'windows2022@v1' }] }, 'spec.amiSelectorTerms[0].alias', "windows families may only specify version 'latest'"],
    ['empty subnet selector list', { subnetSelectorTerms: [] }, 'subnetSelectorTerms', 'at least one term'],
    ['empty security group selector list', { securityGroupSelectorTerms: [] }, 'securityGroupSelectorTerms', 'at least one term'],
    ['no selectors and no discovery tag', { discoveryTag: undefined }, 'subnetSelectorTerms', 'discoveryTag'],
    ['alias mixed with another term', { amiSelectorTerms: [{ alias: 'al2023@latest' }, { id: 'ami-0123' }] }, 'amiSelectorTerms', 'only field of the only term'],
    ['alias mixed with a field in its term', { amiSelectorTerms: [{ alias: 'al2023@latest', owner: 'amazon' }] }, 'amiSelectorTerms', 'only field'],
    ['malformed alias', { amiSelectorTerms: [{ alias: 'ubuntu@latest' }] }, 'amiSelectorTerms[0].alias', 'family@version'],
    ['terms without alias and without amiFamily', { amiSelectorTerms: [{ id: 'ami-0123' }] }, 'amiFamily', 'required'],
    ['amiFamily contradicting the alias', { amiFamily: Ec2NodeClassSpecAmiFamily.BOTTLEROCKET }, 'amiFamily', 'must match the alias family'],
    ['name that is not a DNS-1123 label', { metadata: { name: 'Soci_Nodes' } }, 'metadata.name', 'DNS-1123 label'],
    ['name longer than 63 characters', { metadata: { name: 'a'.repeat(64) } }, 'metadata.name', 'at most 63'],
    ['data volume with both mappings and tuning', { dataVolume: { sizeGiB: 50 }, blockDeviceMappings: [] }, 'dataVolume', 'not both'],
    ['throughput below gp3 minimum', { dataVolume: { throughputMiBps: 100 } }, 'dataVolume.throughputMiBps', 'integer from 125'],
    ['Bottlerocket settings on AL2023', { bottlerocketSettings: '[settings]' }, 'bottlerocketSettings', 'only Bottlerocket'],
    ['the native gate on an AL2023 AMI older than v20250821', { amiSelectorTerms: [{ alias: 'al2023@v20250715' }], bootstrap: SociBootstrap.native() }, 'amiSelectorTerms[0].alias', 'needs al2023@v20250821 or newer'],
    ['Bottlerocket SOCI settings on Bottlerocket before 1.44.0', { amiSelectorTerms: [{ alias: 'bottlerocket@v1.43.2' }], bootstrap: SociBootstrap.bottlerocket() }, 'amiSelectorTerms[0].alias', 'needs bottlerocket@v1.44.0 or newer'],
    ['an AL2023 bootstrap on a Bottlerocket AMI', { amiSelectorTerms: [{ alias: 'bottlerocket@latest' }], bootstrap: SociBootstrap.native() }, 'bootstrap', 'needs an AMI of family al2023'],
    ['a Bottlerocket bootstrap on a Custom AMI', { amiSelectorTerms: [{ id: 'ami-0123456789abcdef0' }], amiFamily: Ec2NodeClassSpecAmiFamily.CUSTOM, bootstrap: SociBootstrap.bottlerocket() }, 'bootstrap', 'needs an AMI of family bottlerocket'],
    ['MIME parts on Bottlerocket', { amiSelectorTerms: [{ alias: 'bottlerocket@latest' }], userDataBefore: [UserDataPart.shellScript('#!/bin/sh\ntrue')] }, 'userDataBefore/userDataAfter', 'settings TOML'],
  ])('%s', (_case, props, field, allowed) => {
    // WHEN constructed with the bad prop
    const err = constructError(props as Partial<Ec2NodeClassProps>);

    // THEN the message names the path, the field and what is allowed
    expect(err.where).toBe('test/Nodes');
    expect(err.field).toBe(field);
    expect(err.message).toContain('test/Nodes');
    expect(err.message).toContain(field);
    expect(err.message).toContain(allowed);
  });

  test('the message carries the offending value', () => {
    const err = constructError({ metadata: { name: 'Bad_Name' } });
    expect(err.message).toContain('"Bad_Name"');
  });
});

describe('Ec2NodeClass at synth', () => {
  test('a SOCI guard fails cdk8s synth itself, naming the path, the field and the fix', () => {
    // GIVEN the native gate with SOCI data on a 125 MiB/s EBS volume
    const chart = Testing.chart();
    new Ec2NodeClass(chart, 'Nodes', { ...BASE, bootstrap: SociBootstrap.native(), dataVolume: { throughputMiBps: 125 } });

    // WHEN / THEN
    expect(() => Testing.synth(chart)).toThrow(/\[test\/Nodes\] ERROR \[ebs-throughput\] .*\/spec\/blockDeviceMappings\/0\/ebs\/throughput 125: .*600/);
  });

  test('an acknowledged guard does not fail the synth', () => {
    // GIVEN the same class, acknowledging the throughput guard
    const chart = Testing.chart();
    new Ec2NodeClass(chart, 'Nodes', {
      ...BASE, bootstrap: SociBootstrap.native(), dataVolume: { throughputMiBps: 125 }, acknowledge: [SociGuard.EBS_THROUGHPUT],
    });

    // THEN
    expect(Testing.synth(chart)[0].spec.blockDeviceMappings[0].ebs.throughput).toBe(125);
  });

  test('user data that would not fit beside Karpenter\'s part fails the synth with the byte counts', () => {
    // GIVEN 14,000 bytes of script: with Karpenter's 3 KiB it passes 16,384
    const chart = Testing.chart();
    const script = `#!/bin/bash\n${'# padding\n'.repeat(1400)}`;
    new Ec2NodeClass(chart, 'Nodes', { ...BASE, bootstrap: SociBootstrap.native(), userDataAfter: [UserDataPart.shellScript(script)] });

    // WHEN / THEN
    expect(() => Testing.synth(chart)).toThrow(/ERROR \[user-data-size\].*over EC2's 16384-byte limit/);
  });

  test('an escape-hatch patch is validated too', () => {
    // GIVEN a valid class patched into an invalid one
    const chart = Testing.chart();
    const nodeClass = new Ec2NodeClass(chart, 'Nodes', BASE);
    ApiObject.of(nodeClass).addJsonPatch(JsonPatch.replace('/spec/metadataOptions/httpPutResponseHopLimit', 0));

    // WHEN / THEN
    expect(() => Testing.synth(chart)).toThrow(/ERROR \[schema\] test\/Nodes EC2NodeClass\/nodes \/spec\/metadataOptions\/httpPutResponseHopLimit 0: must be >= 1/);
  });
});
