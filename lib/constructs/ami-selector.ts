import { Construct } from 'constructs';
import { Ec2NodeClassSpecAmiFamily, Ec2NodeClassSpecAmiSelectorTerms } from '../../imports/karpenter.k8s.aws';
import { AmiAliasFamily } from '../bootstrap/node-bootstrap';
import { ConfigError } from '../errors';

/** Alias families Karpenter v1.14.1 accepts (EC2NodeClass CEL rules). */
const ALIAS_FAMILIES = ['al2', 'al2023', 'bottlerocket', 'windows2019', 'windows2022', 'windows2025'];
const ALIAS = /^([a-z0-9]+)@(latest|v[0-9][0-9a-z.-]*)$/;

/** The parsed `family@version` of an `amiSelectorTerms[].alias`. */
export interface AmiAlias {
  readonly family: string;
  /** `latest`, or a pinned version such as `v20250821` / `v1.44.0`. */
  readonly version: string;
}

/** Factories for `spec.amiSelectorTerms`. */
export class AmiSelector {
  /** The newest Amazon Linux 2023 EKS AMI. Unpinned: nodes drift at every AMI release. */
  public static readonly AL2023_LATEST: readonly Ec2NodeClassSpecAmiSelectorTerms[] = [{ alias: 'al2023@latest' }];

  /** A single alias term, for example `al2023@v20260724` or `bottlerocket@v1.50.0`. */
  public static alias(alias: string): Ec2NodeClassSpecAmiSelectorTerms[] {
    return [{ alias }];
  }
}

/**
 * Checks the terms the way Karpenter's CEL rules do (an alias stands alone, in a
 * well-formed `family@version`) and returns the alias, if any.
 */
export function checkAmiSelectorTerms(scope: Construct, terms: readonly Ec2NodeClassSpecAmiSelectorTerms[]): AmiAlias | undefined {
  const withAlias = terms.filter((t) => t.alias !== undefined);
  if (withAlias.length === 0) return undefined;
  const term = withAlias[0];
  const otherFields = Object.keys(term).filter((k) => k !== 'alias' && (term as Record<string, unknown>)[k] !== undefined);
  if (terms.length > 1 || otherFields.length > 0) {
    throw new ConfigError(scope.node.path, 'amiSelectorTerms', terms,
      'an alias must be the only field of the only term; to combine ids, names, tags or SSM parameters, drop the alias and set amiFamily');
  }
  return parseAlias(scope, term.alias!);
}

function parseAlias(scope: Construct, alias: string): AmiAlias {
  const match = ALIAS.exec(alias);
  if (!match || !ALIAS_FAMILIES.includes(match[1])) {
    throw new ConfigError(scope.node.path, 'amiSelectorTerms[0].alias', alias,
      `family@version with family one of ${ALIAS_FAMILIES.join(', ')} and version "latest" or pinned ("al2023@v20260724", "bottlerocket@v1.50.0")`);
  }
  return { family: match[1], version: match[2] };
}

/** The EC2NodeClass `amiFamily` an alias family implies. */
export function amiFamilyOfAlias(family: string): Ec2NodeClassSpecAmiFamily {
  const byAlias: Record<string, Ec2NodeClassSpecAmiFamily> = {
    al2: Ec2NodeClassSpecAmiFamily.AL2,
    al2023: Ec2NodeClassSpecAmiFamily.AL2023,
    bottlerocket: Ec2NodeClassSpecAmiFamily.BOTTLEROCKET,
    windows2019: Ec2NodeClassSpecAmiFamily.WINDOWS2019,
    windows2022: Ec2NodeClassSpecAmiFamily.WINDOWS2022,
    windows2025: Ec2NodeClassSpecAmiFamily.WINDOWS2025,
  };
  return byAlias[family];
}

/** The bootstrap family for an EC2NodeClass `amiFamily`, when there is one. */
export function aliasFamilyOf(amiFamily: Ec2NodeClassSpecAmiFamily): AmiAliasFamily | undefined {
  if (amiFamily === Ec2NodeClassSpecAmiFamily.AL2023) return AmiAliasFamily.AL2023;
  if (amiFamily === Ec2NodeClassSpecAmiFamily.BOTTLEROCKET) return AmiAliasFamily.BOTTLEROCKET;
  return undefined;
}
