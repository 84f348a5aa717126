import { ApiObjectMetadata } from 'cdk8s';
import { Construct } from 'constructs';
import * as k from '../../imports/karpenter.k8s.aws';
import { AmiAliasFamily, INodeBootstrap } from '../bootstrap/node-bootstrap';
import { SociBootstrap } from '../bootstrap/soci-bootstrap';
import { compareVersions } from '../bootstrap/soci-facts';
import { ConfigError } from '../errors';
import { UserDataPart } from '../userdata/user-data-part';
import { SociGuard } from '../validation/acknowledgements';
import { objectMetadata } from './acknowledge';
import { AmiAlias, AmiSelector, aliasFamilyOf, amiFamilyOfAlias, checkAmiSelectorTerms } from './ami-selector';
import { DataVolumeProps, defaultBlockDevices } from './block-devices';
import { checkCrdConformance, validateAtSynth } from './crd-conformance';
import { checkDnsLabel, checkIntegerInRange, checkNonEmptyList, kebabCase } from './prop-checks';

/** The tag Karpenter's getting-started guides put on subnets and security groups. */
export const DISCOVERY_TAG_KEY = 'karpenter.sh/discovery';

/** Props of an {@link Ec2NodeClass}. */
export interface Ec2NodeClassProps {
  /**
   * Object metadata; `name` must be a DNS-1123 label.
   * @default - name: the construct id in kebab-case
   */
  readonly metadata?: ApiObjectMetadata;

  /**
   * IAM role of the nodes; Karpenter creates and manages the instance profile.
   * Set exactly one of `role` and `instanceProfile`.
   * @default - none
   */
  readonly role?: string;

  /**
   * An existing instance profile, for clusters where Karpenter may not call IAM.
   * Set exactly one of `role` and `instanceProfile`.
   * @default - none
   */
  readonly instanceProfile?: string;

  /**
   * Shorthand for subnets and security groups tagged `karpenter.sh/discovery: <value>`.
   * Used for whichever of `subnetSelectorTerms` and `securityGroupSelectorTerms` is not given.
   * @default - none
   */
  readonly discoveryTag?: string;

  /**
   * Subnets to launch nodes in (terms are ORed).
   * @default - the subnets tagged with `discoveryTag`
   */
  readonly subnetSelectorTerms?: k.Ec2NodeClassSpecSubnetSelectorTerms[];

  /**
   * Security groups of the nodes (terms are ORed).
   * @default - the security groups tagged with `discoveryTag`
   */
  readonly securityGroupSelectorTerms?: k.Ec2NodeClassSpecSecurityGroupSelectorTerms[];

  /**
   * AMIs to use. An alias (`al2023@v20260724`, `bottlerocket@v1.50.0`) must stand alone;
   * other terms need `amiFamily`. Pin the alias in production: `@latest` drifts nodes at every release.
   * @default AmiSelector.AL2023_LATEST (`al2023@latest`)
   */
  readonly amiSelectorTerms?: k.Ec2NodeClassSpecAmiSelectorTerms[];

  /**
   * The AMI family, which selects the user-data format. Required when the terms have no alias.
   * @default - implied by the alias
   */
  readonly amiFamily?: k.Ec2NodeClassSpecAmiFamily;

  /**
   * What turns SOCI on at boot: `SociBootstrap.native()`, `.manualInstall()`, `.bottlerocket()` or
   * `.amiDefault()`. It renders `spec.userData` and adds the NodePool requirements it needs to
   * every NodePool that uses this class.
   * @default - none: user data holds only your own parts or settings, as with `SociBootstrap.amiDefault()`
   */
  readonly bootstrap?: INodeBootstrap;

  /**
   * Your own AL2023 user-data parts (shell scripts, NodeConfig), placed before the bootstrap's.
   * @default - none
   */
  readonly userDataBefore?: UserDataPart[];

  /**
   * Your own AL2023 user-data parts (shell scripts, NodeConfig), placed after the bootstrap's.
   * Karpenter appends its own NodeConfig after all of them, and its values win.
   * @default - none
   */
  readonly userDataAfter?: UserDataPart[];

  /**
   * Extra Bottlerocket settings (TOML), merged with the bootstrap's.
   * @default - none
   */
  readonly bottlerocketSettings?: string;

  /**
   * `RAID0` puts kubelet, containerd and (on AL2023) SOCI data on a RAID0 array of the
   * instance-store NVMe disks, when the instance type has any.
   * @default - data stays on EBS
   */
  readonly instanceStorePolicy?: k.Ec2NodeClassSpecInstanceStorePolicy;

  /**
   * The volume that holds containerd and SOCI data: the root volume on AL2023, the data volume
   * (`/dev/xvdb`) on Bottlerocket. Always encrypted gp3. Ignored when `blockDeviceMappings` is set.
   * @default - 100 GiB, 3,000 IOPS, 600 MiB/s
   */
  readonly dataVolume?: DataVolumeProps;

  /**
   * Block device mappings, replacing the defaults entirely.
   * @default - encrypted gp3 volumes sized by `dataVolume`
   */
  readonly blockDeviceMappings?: k.Ec2NodeClassSpecBlockDeviceMappings[];

  /**
   * Instance metadata service options, merged over the defaults.
   * @default - IMDSv2 required (`httpTokens: required`), endpoint enabled, IPv6 endpoint disabled, hop limit 1
   */
  readonly metadataOptions?: k.Ec2NodeClassSpecMetadataOptions;

  /**
   * Tags for the instances, volumes and launch templates Karpenter creates.
   * @default - none
   */
  readonly tags?: { [key: string]: string };

  /**
   * Kubelet settings Karpenter models (`maxPods`, reserved resources, eviction, image GC...).
   * Other kubelet settings go in a NodeConfig user-data part.
   * @default - Karpenter's defaults
   */
  readonly kubelet?: k.Ec2NodeClassSpecKubelet;

  /**
   * Guards to accept on purpose, recorded in the object's annotations.
   * @default - none
   */
  readonly acknowledge?: SociGuard[];
}

const DEFAULT_METADATA_OPTIONS: k.Ec2NodeClassSpecMetadataOptions = {
  httpEndpoint: k.Ec2NodeClassSpecMetadataOptionsHttpEndpoint.ENABLED,
  httpProtocolIPv6: k.Ec2NodeClassSpecMetadataOptionsHttpProtocolIPv6.DISABLED,
  httpPutResponseHopLimit: 1,
  httpTokens: k.Ec2NodeClassSpecMetadataOptionsHttpTokens.REQUIRED,
};

/**
 * A Karpenter `EC2NodeClass` (karpenter.k8s.aws/v1) whose user data comes from a
 * SOCI bootstrap, with secure defaults (IMDSv2, encrypted gp3).
 *
 * The generated L1 object is the child `Resource`, so
 * `ApiObject.of(nodeClass).addJsonPatch(JsonPatch.add('/spec/...', ...))` reaches any field.
 */
export class Ec2NodeClass extends Construct {
  /** `metadata.name` of the EC2NodeClass. */
  public readonly name: string;
  /** The AMI family the selector terms imply. */
  public readonly amiFamily: k.Ec2NodeClassSpecAmiFamily;
  /** The bootstrap, when one was given. */
  public readonly bootstrap?: INodeBootstrap;
  /** The rendered `spec.userData`, when there is any. */
  public readonly userData?: string;
  /** The generated L1 object. */
  public readonly resource: k.Ec2NodeClass;

  public constructor(scope: Construct, id: string, props: Ec2NodeClassProps) {
    super(scope, id);
    this.name = checkDnsLabel(this, 'metadata.name', props.metadata?.name ?? kebabCase(id));
    checkIdentity(this, props);
    const amiSelectorTerms = props.amiSelectorTerms ?? [...AmiSelector.AL2023_LATEST];
    const alias = checkAmiSelectorTerms(this, amiSelectorTerms);
    this.amiFamily = resolveAmiFamily(this, alias, props.amiFamily);
    this.bootstrap = props.bootstrap;
    checkBootstrapFits(this, props.bootstrap, this.amiFamily, alias);
    checkUserDataFits(this, props, this.amiFamily);
    this.userData = this.renderUserData(props);

    this.resource = new k.Ec2NodeClass(this, 'Resource', {
      metadata: objectMetadata(this.name, props.metadata, props.acknowledge),
      spec: {
        role: props.role,
        instanceProfile: props.instanceProfile,
        amiSelectorTerms,
        // An alias implies its family, so only write amiFamily when it adds something (no alias, or Custom).
        amiFamily: alias && this.amiFamily !== k.Ec2NodeClassSpecAmiFamily.CUSTOM ? undefined : this.amiFamily,
        subnetSelectorTerms: selectorTerms(this, 'subnetSelectorTerms', props.subnetSelectorTerms, props.discoveryTag),
        securityGroupSelectorTerms: selectorTerms(this, 'securityGroupSelectorTerms', props.securityGroupSelectorTerms, props.discoveryTag),
        instanceStorePolicy: props.instanceStorePolicy,
        blockDeviceMappings: blockDevices(this, props, this.amiFamily),
        metadataOptions: { ...DEFAULT_METADATA_OPTIONS, ...props.metadataOptions },
        tags: props.tags,
        kubelet: props.kubelet,
        userData: this.userData,
      },
    });
    checkCrdConformance(this, this.resource);
    validateAtSynth(this, this.resource);
  }

  private renderUserData(props: Ec2NodeClassProps): string | undefined {
    const bootstrap = this.bootstrap ?? SociBootstrap.amiDefault();
    try {
      return bootstrap.renderUserData({
        partsBefore: props.userDataBefore,
        partsAfter: props.userDataAfter,
        bottlerocketSettings: props.bottlerocketSettings,
      });
    } catch (error) {
      // The bootstrap checks the user's parts and settings under its own name; name this construct instead.
      if (error instanceof ConfigError && error.where === bootstrap.name) {
        throw new ConfigError(this.node.path, error.field, error.value, error.allowed);
      }
      throw error;
    }
  }
}

function checkIdentity(scope: Construct, props: Ec2NodeClassProps): void {
  for (const field of ['role', 'instanceProfile'] as const) {
    if (props[field] === '') throw new ConfigError(scope.node.path, field, '', 'a non-empty name, or leave it unset');
  }
  const given = [props.role, props.instanceProfile].filter((v) => v !== undefined);
  if (given.length !== 1) {
    throw new ConfigError(scope.node.path, 'role/instanceProfile', { role: props.role, instanceProfile: props.instanceProfile },
      'set exactly one: role (Karpenter manages the instance profile) or instanceProfile (you manage it)');
  }
}

function resolveAmiFamily(scope: Construct, alias: AmiAlias | undefined, amiFamily: k.Ec2NodeClassSpecAmiFamily | undefined): k.Ec2NodeClassSpecAmiFamily {
  if (!alias) {
    if (!amiFamily) {
      throw new ConfigError(scope.node.path, 'amiFamily', amiFamily, `required when amiSelectorTerms has no alias: one of ${Object.values(k.Ec2NodeClassSpecAmiFamily).join(', ')}`);
    }
    return amiFamily;
  }
  const implied = amiFamilyOfAlias(alias.family);
  if (amiFamily && amiFamily !== implied && amiFamily !== k.Ec2NodeClassSpecAmiFamily.CUSTOM) {
    throw new ConfigError(scope.node.path, 'amiFamily', amiFamily, `must match the alias family (${implied}) or be Custom, or be left out`);
  }
  // Custom keeps the alias's AMIs but passes user data through verbatim, without Karpenter's merge.
  return amiFamily === k.Ec2NodeClassSpecAmiFamily.CUSTOM ? amiFamily : implied;
}

function checkBootstrapFits(scope: Construct, bootstrap: INodeBootstrap | undefined, amiFamily: k.Ec2NodeClassSpecAmiFamily, alias: AmiAlias | undefined): void {
  if (!bootstrap || bootstrap.amiFamilies.length === 0) return;
  const family = aliasFamilyOf(amiFamily);
  if (!family || !bootstrap.amiFamilies.includes(family)) {
    throw new ConfigError(scope.node.path, 'bootstrap', bootstrap.name,
      `${bootstrap.name} needs an AMI of family ${bootstrap.amiFamilies.join(' or ')}, but amiSelectorTerms select ${amiFamily}`);
  }
  if (!alias || alias.version === 'latest' || !bootstrap.minimumAmiVersion) return;
  if (compareVersions(alias.version, bootstrap.minimumAmiVersion) < 0) {
    throw new ConfigError(scope.node.path, 'amiSelectorTerms[0].alias', `${alias.family}@${alias.version}`,
      `${bootstrap.name} needs ${alias.family}@${bootstrap.minimumAmiVersion} or newer; pin a newer AMI${family === AmiAliasFamily.AL2023 ? ', or use SociBootstrap.manualInstall() on older AL2023 AMIs' : ''}`);
  }
}

function checkUserDataFits(scope: Construct, props: Ec2NodeClassProps, amiFamily: k.Ec2NodeClassSpecAmiFamily): void {
  const isBottlerocket = amiFamily === k.Ec2NodeClassSpecAmiFamily.BOTTLEROCKET;
  const hasParts = (props.userDataBefore?.length ?? 0) + (props.userDataAfter?.length ?? 0) > 0;
  if (isBottlerocket && hasParts) {
    throw new ConfigError(scope.node.path, 'userDataBefore/userDataAfter', `${amiFamily} AMI`,
      'Bottlerocket user data is settings TOML, not MIME parts; use bottlerocketSettings');
  }
  if (!isBottlerocket && props.bottlerocketSettings !== undefined) {
    throw new ConfigError(scope.node.path, 'bottlerocketSettings', `${amiFamily} AMI`, 'only Bottlerocket AMIs take settings TOML; use userDataBefore/userDataAfter');
  }
}

function selectorTerms<T>(scope: Construct, field: string, terms: T[] | undefined, discoveryTag: string | undefined): T[] {
  if (terms !== undefined) return [...checkNonEmptyList(scope, field, terms, 'select by id, name or tags')];
  if (discoveryTag === undefined || discoveryTag === '') {
    throw new ConfigError(scope.node.path, field, terms, `give selector terms, or discoveryTag to select by the "${DISCOVERY_TAG_KEY}" tag`);
  }
  return [{ tags: { [DISCOVERY_TAG_KEY]: discoveryTag } } as T];
}

function blockDevices(scope: Construct, props: Ec2NodeClassProps, amiFamily: k.Ec2NodeClassSpecAmiFamily): k.Ec2NodeClassSpecBlockDeviceMappings[] {
  if (props.blockDeviceMappings) {
    if (props.dataVolume) {
      throw new ConfigError(scope.node.path, 'dataVolume', props.dataVolume, 'set either dataVolume (tunes the default volumes) or blockDeviceMappings (replaces them), not both');
    }
    return props.blockDeviceMappings;
  }
  const volume = props.dataVolume ?? {};
  checkIntegerInRange(scope, 'dataVolume.sizeGiB', volume.sizeGiB, 1, 65536);
  checkIntegerInRange(scope, 'dataVolume.iops', volume.iops, 3000, 80000);
  checkIntegerInRange(scope, 'dataVolume.throughputMiBps', volume.throughputMiBps, 125, 2000);
  return defaultBlockDevices(amiFamily, volume);
}
