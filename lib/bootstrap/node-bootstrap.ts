import { NodeConfigSpecCluster } from '../../imports/node.eks.aws';
import { NodePoolSpecTemplateSpecRequirements } from '../../imports/karpenter.sh';
import { UserDataPart } from '../userdata/user-data-part';

/** AMI families, as named by the family part of an EC2NodeClass `amiSelectorTerms[].alias`. */
export enum AmiAliasFamily {
  AL2023 = 'al2023',
  BOTTLEROCKET = 'bottlerocket',
}

/** What a user adds around a bootstrap's own user data. */
export interface UserDataRenderOptions {
  /**
   * Parts placed before the bootstrap's parts (AL2023 only).
   * @default - none
   */
  readonly partsBefore?: UserDataPart[];
  /**
   * Parts placed after the bootstrap's parts (AL2023 only).
   * @default - none
   */
  readonly partsAfter?: UserDataPart[];
  /**
   * Bottlerocket settings TOML merged with the bootstrap's settings (Bottlerocket only).
   * @default - none
   */
  readonly bottlerocketSettings?: string;
  /**
   * The NodeConfig `spec.cluster` section a self-managed (non-Karpenter) AL2023 node needs.
   * Karpenter writes it itself, so leave it out for an EC2NodeClass.
   * @default - none
   */
  readonly cluster?: NodeConfigSpecCluster;
}

/**
 * Something that turns a feature on at node boot through user data: the SOCI
 * bootstrap strategies implement it, and an EC2NodeClass takes one.
 */
export interface INodeBootstrap {
  /** Short name for messages, for example `SociBootstrap.native`. */
  readonly name: string;
  /**
   * AMI alias families this bootstrap works on.
   * An empty list means any family (the bootstrap renders nothing).
   */
  readonly amiFamilies: readonly AmiAliasFamily[];
  /**
   * The oldest AMI release the bootstrap works on, as a pinned alias version
   * (`v20250821`, `v1.44.0`); a node class with an older pinned alias is refused.
   * Undefined when any release will do.
   */
  readonly minimumAmiVersion?: string;
  /**
   * NodePool requirements without which the bootstrap would not take effect
   * (for example nodeadm ignores `FastImagePull` below 4 vCPU and 7 GiB).
   */
  readonly nodeRequirements: readonly NodePoolSpecTemplateSpecRequirements[];
  /**
   * Renders the full `userData` value: the bootstrap's parts with the user's
   * around them. Returns undefined when there is nothing to render.
   */
  renderUserData(options?: UserDataRenderOptions): string | undefined;
}
