import { UserDataPart } from '../../lib/userdata';
import { composeAl2023UserData } from '../../lib/userdata/compose';
import { ConfigError } from '../../lib/errors';
import { CLUSTER as SCENARIO_CLUSTER } from '../bootstrap/scenarios';

const CLUSTER = {
  name: 'prod',
  apiServerEndpoint: 'https://ABC.gr7.eu-west-1.eks.amazonaws.com',
  certificateAuthority: SCENARIO_CLUSTER.certificateAuthority,
  cidr: '172.20.0.0/16',
};
const PRIVATE_KEY = Buffer.from('-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIB4s3cr3tK3y\n-----END EC PRIVATE KEY-----\n').toString('base64');

const types = (text: string | undefined) => [...(text ?? '').matchAll(/^Content-Type: (.*)$/gm)].map((m) => m[1]).slice(1);

describe('composeAl2023UserData', () => {
  test('orders partsBefore, the bootstrap\'s parts, partsAfter, then the cluster section', () => {
    // GIVEN
    const before = UserDataPart.raw('text/x-before', 'b');
    const own = UserDataPart.raw('text/x-own', 'o');
    const after = UserDataPart.raw('text/x-after', 'a');
    // WHEN
    const text = composeAl2023UserData('Test', [own], { partsBefore: [before], partsAfter: [after], cluster: CLUSTER });
    // THEN
    expect(types(text)).toEqual(['text/x-before', 'text/x-own', 'text/x-after', 'application/node.eks.aws']);
    expect(text).toContain(`spec:\n  cluster:\n    apiServerEndpoint: https://ABC.gr7.eu-west-1.eks.amazonaws.com\n    certificateAuthority: ${CLUSTER.certificateAuthority}\n    cidr: 172.20.0.0/16\n    name: prod\n`);
  });

  test('nothing to render is undefined', () => {
    expect(composeAl2023UserData('Test', [], {})).toBeUndefined();
  });

  test('an IPv6 service CIDR is accepted', () => {
    expect(() => composeAl2023UserData('Test', [], { cluster: { ...CLUSTER, cidr: 'fd00:10:96::/108' } })).not.toThrow();
  });

  test.each([
    ['name', { name: '' }, 'Test: cluster.name "" is invalid'],
    ['endpoint over http', { apiServerEndpoint: 'http://abc' }, 'Test: cluster.apiServerEndpoint "http://abc" is invalid: an https:// URL'],
    ['CA not base64', { certificateAuthority: '-----BEGIN CERTIFICATE-----' }, 'cluster.certificateAuthority (a value of 27 characters; not shown) is invalid: the base64-encoded PEM CERTIFICATE blocks of the cluster CA, as `aws eks describe-cluster` returns them (it is not base64)'],
    ['CA that is a private key', { certificateAuthority: PRIVATE_KEY }, `cluster.certificateAuthority (a value of ${PRIVATE_KEY.length} characters; not shown) is invalid: the base64-encoded PEM CERTIFICATE blocks of the cluster CA, as \`aws eks describe-cluster\` returns them (it decodes to a PEM "EC PRIVATE KEY" block)`],
    ['CA missing', { certificateAuthority: undefined }, 'cluster.certificateAuthority (not set) is invalid: the base64-encoded PEM CERTIFICATE blocks of the cluster CA, as `aws eks describe-cluster` returns them (it is not set)'],
    ['CIDR octet > 255', { cidr: '10.300.0.0/16' }, 'cluster.cidr "10.300.0.0/16" is invalid'],
    ['CIDR with host bits', { cidr: '10.100.0.1/16' }, 'cluster.cidr "10.100.0.1/16" is invalid: the cluster\'s service CIDR, such as "10.100.0.0/16" or "fd00:10:96::/108" (host bits are set after the /16 prefix; the network is 10.100.0.0/16)'],
    ['IPv6 CIDR that is not an address', { cidr: ':::::/64' }, 'cluster.cidr ":::::/64" is invalid'],
    ['CIDR without prefix', { cidr: '10.100.0.0' }, 'cluster.cidr "10.100.0.0" is invalid'],
    ['CIDR missing', { cidr: undefined }, 'cluster.cidr (not set) is invalid'],
  ])('a cluster section with a bad %s is a ConfigError', (_, change, message) => {
    const attempt = () => composeAl2023UserData('Test', [], { cluster: { ...CLUSTER, ...change } });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(message);
    expect(attempt).not.toThrow(/MHcCAQEEIB4s3cr3tK3y|TUhjQ0FRRUVJQjRzM2NyM3RLM3k/);
  });
});
