import { NodeConfigSpecCluster } from '../../imports/node.eks.aws';
import { ConfigError } from '../errors';
import { UserDataPart } from './user-data-part';

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const IPV4_CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;
const IPV6_CIDR = /^[0-9a-fA-F:]+:[0-9a-fA-F:]*\/(\d{1,3})$/;

/**
 * The NodeConfig part that tells nodeadm which cluster to join. Only
 * self-managed nodes need it: Karpenter appends its own.
 *
 * nodeadm refuses to start without a name, an API endpoint and a CA
 * (`internal/api/validation.go`), and kubelet needs the service CIDR for its DNS address,
 * so all four are required here.
 */
export function clusterSectionPart(where: string, cluster: NodeConfigSpecCluster): UserDataPart {
  requireText(where, 'cluster.name', cluster.name, /^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/, 'an EKS cluster name (letters, digits, "-" and "_", at most 100 characters)');
  requireHttpsUrl(where, 'cluster.apiServerEndpoint', cluster.apiServerEndpoint);
  requireText(where, 'cluster.certificateAuthority', cluster.certificateAuthority, BASE64, 'the base64-encoded cluster CA bundle, as `aws eks describe-cluster` returns it');
  requireCidr(where, 'cluster.cidr', cluster.cidr);
  return UserDataPart.nodeConfig({ cluster });
}

function requireText(where: string, field: string, value: string | undefined, pattern: RegExp, allowed: string): void {
  if (value === undefined || !pattern.test(value)) throw new ConfigError(where, field, value, allowed);
}

function requireHttpsUrl(where: string, field: string, value: string | undefined): void {
  const allowed = 'an https:// URL such as "https://ABCDEF.gr7.us-east-1.eks.amazonaws.com"';
  if (value === undefined || !/^https:\/\/[^\s"'\\]+$/.test(value)) throw new ConfigError(where, field, value, allowed);
  try {
    new URL(value);
  } catch {
    throw new ConfigError(where, field, value, allowed);
  }
}

function requireCidr(where: string, field: string, value: string | undefined): void {
  const allowed = 'the cluster\'s service CIDR, such as "10.100.0.0/16" or "fd00:10:96::/108"';
  if (value === undefined) throw new ConfigError(where, field, value, allowed);
  const v4 = IPV4_CIDR.exec(value);
  if (v4) {
    const octetsOk = v4.slice(1, 5).every((octet) => Number(octet) <= 255);
    if (octetsOk && Number(v4[5]) <= 32) return;
  } else if (IPV6_CIDR.test(value) && Number(value.split('/')[1]) <= 128) {
    return;
  }
  throw new ConfigError(where, field, value, allowed);
}
