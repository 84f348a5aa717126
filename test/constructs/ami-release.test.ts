/**
 * Pinned AL2023 AMI releases that lack, or break, a SOCI feature the node
 * class turns on are refused when the EC2NodeClass is constructed.
 */
import { Testing } from 'cdk8s';
import { Ec2NodeClassSpecInstanceStorePolicy } from '../../imports/karpenter.k8s.aws';
import { SociBootstrap } from '../../lib/bootstrap';
import { AmiSelector, Ec2NodeClass, Ec2NodeClassProps } from '../../lib/constructs';
import { ConfigError } from '../../lib/errors';
import { UserDataPart } from '../../lib/userdata/user-data-part';

const BASE: Ec2NodeClassProps = { role: 'KarpenterNodeRole-test', discoveryTag: 'test-private' };
const FIELD = 'spec.amiSelectorTerms[0].alias';

function construct(props: Partial<Ec2NodeClassProps>): ConfigError | undefined {
  const chart = Testing.chart();
  try {
    new Ec2NodeClass(chart, 'Nodes', { ...BASE, ...props });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  return undefined;
}

const native = (alias: string) => ({ amiSelectorTerms: AmiSelector.alias(alias), bootstrap: SociBootstrap.native() });
const keepOnEbs = (alias: string) => ({
  amiSelectorTerms: AmiSelector.alias(alias),
  instanceStorePolicy: Ec2NodeClassSpecInstanceStorePolicy.RAID0,
  bootstrap: SociBootstrap.native({ keepSociDataOnEbs: true }),
});

describe('SociBootstrap.native() on a pinned AL2023 release with known breakage', () => {
  test('GIVEN al2023@v20260505 (amazon-eks-ami#2710) WHEN the node class is constructed THEN a ConfigError names the path, field, value, the issue and the allowed releases', () => {
    // WHEN
    const err = construct(native('al2023@v20260505'));
    // THEN
    expect(err).toMatchObject({ where: 'test/Nodes', field: FIELD, value: 'al2023@v20260505' });
    expect(err!.message).toContain('test/Nodes: spec.amiSelectorTerms[0].alias "al2023@v20260505" is invalid: ');
    expect(err!.message).toContain('amazon-eks-ami#2710');
    expect(err!.message).toContain('Use al2023@v20260512 or later (allowed: al2023@latest or a pinned al2023@v20250821 or later, except v20260505)');
  });

  test.each(['al2023@v20260429', 'al2023@v20260512', 'al2023@v20260724', 'al2023@latest'])(
    'GIVEN %s WHEN the node class is constructed THEN it is accepted', (alias) => {
      expect(construct(native(alias))).toBeUndefined();
    });

  test('GIVEN the FastImagePull gate in a user part on al2023@v20260505 (no SOCI bootstrap) WHEN constructed THEN it is refused too', () => {
    const gate = UserDataPart.nodeConfig({ featureGates: { FastImagePull: true } });
    const err = construct({ amiSelectorTerms: AmiSelector.alias('al2023@v20260505'), userDataAfter: [gate] });
    expect(err).toMatchObject({ field: FIELD, value: 'al2023@v20260505' });
  });
});

describe('keepSociDataOnEbs needs al2023@v20260120 or later', () => {
  test('GIVEN al2023@v20251217 WHEN the node class is constructed THEN a ConfigError says the setting would be silently ignored and what is allowed', () => {
    // WHEN
    const err = construct(keepOnEbs('al2023@v20251217'));
    // THEN
    expect(err).toMatchObject({ where: 'test/Nodes', field: FIELD, value: 'al2023@v20251217' });
    expect(err!.message).toContain('keepSociDataOnEbs (NodeConfig instance.localStorage.disabledMounts: [SOCI]) needs al2023@v20260120 or later; on v20251217 nodeadm silently ignores it');
    expect(err!.message).toContain('(allowed: al2023@latest or a pinned al2023@v20260120 or later)');
  });

  test.each(['al2023@v20260120', 'al2023@v20260724', 'al2023@latest'])('GIVEN %s WHEN constructed THEN it is accepted', (alias) => {
    expect(construct(keepOnEbs(alias))).toBeUndefined();
  });

  test('GIVEN al2023@v20251217 without keepSociDataOnEbs WHEN constructed THEN it is accepted', () => {
    expect(construct(native('al2023@v20251217'))).toBeUndefined();
  });
});
