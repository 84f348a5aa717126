import { NodeConfigSpecCluster } from '../../imports/node.eks.aws';
import { ConfigError, Redacted } from '../errors';
import { certificateAuthorityProblem } from './certificate-authority';
import { cidrProblem } from './service-cidr';
import { UserDataPart } from './user-data-part';

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
  requireCertificateAuthority(where, 'cluster.certificateAuthority', cluster.certificateAuthority);
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

/** The CA bundle is never repeated in a message: whatever was pasted there may be secret. */
function requireCertificateAuthority(where: string, field: string, value: string | undefined): void {
  const problem = typeof value === 'string' ? certificateAuthorityProblem(value) : 'it is not set';
  if (problem) {
    const shown = value === undefined ? undefined : new Redacted(`a value of ${String(value).length} characters`);
    throw new ConfigError(where, field, shown,
      `the base64-encoded PEM CERTIFICATE blocks of the cluster CA, as \`aws eks describe-cluster\` returns them (${problem})`);
  }
}

function requireCidr(where: string, field: string, value: string | undefined): void {
  const problem = typeof value === 'string' ? cidrProblem(value) : 'it is not set';
  if (problem) throw new ConfigError(where, field, value, `the cluster's service CIDR, such as "10.100.0.0/16" or "fd00:10:96::/108" (${problem})`);
}
