// Public API of the constructs; prop checks and conversions stay internal.
export { AmiSelector } from './ami-selector';
export type { DataVolumeProps } from './block-devices';
export * from './ec2-node-class';
export * from './node-pool';
export * from './requirement';

// The generated Karpenter types the props are written in, so a team app needs no deep import
// into imports/: every enum (taint effects, instance store policy, AMI family, consolidation
// policy, metadata options, volume type...) and the object types of the props.
export {
  Ec2NodeClassSpecAmiFamily,
  Ec2NodeClassSpecBlockDeviceMappingsEbsVolumeType,
  Ec2NodeClassSpecCapacityReservationSelectorTermsInstanceMatchCriteria,
  Ec2NodeClassSpecCpuOptionsNestedVirtualization,
  Ec2NodeClassSpecInstanceStorePolicy,
  Ec2NodeClassSpecMetadataOptionsHttpEndpoint,
  Ec2NodeClassSpecMetadataOptionsHttpProtocolIPv6,
  Ec2NodeClassSpecMetadataOptionsHttpTokens,
  Ec2NodeClassSpecNetworkInterfacesInterfaceType,
} from '../../imports/karpenter.k8s.aws';
export type {
  Ec2NodeClassSpecAmiSelectorTerms,
  Ec2NodeClassSpecBlockDeviceMappings,
  Ec2NodeClassSpecBlockDeviceMappingsEbs,
  Ec2NodeClassSpecKubelet,
  Ec2NodeClassSpecMetadataOptions,
  Ec2NodeClassSpecSecurityGroupSelectorTerms,
  Ec2NodeClassSpecSubnetSelectorTerms,
} from '../../imports/karpenter.k8s.aws';
export {
  NodePoolSpecDisruptionBudgetsReasons,
  NodePoolSpecDisruptionConsolidationPolicy,
  NodePoolSpecLimits,
  NodePoolSpecTemplateSpecRequirementsOperator,
  NodePoolSpecTemplateSpecStartupTaintsEffect,
  NodePoolSpecTemplateSpecTaintsEffect,
} from '../../imports/karpenter.sh';
export type {
  NodePoolSpecDisruptionBudgets,
  NodePoolSpecTemplateSpecRequirements,
  NodePoolSpecTemplateSpecStartupTaints,
  NodePoolSpecTemplateSpecTaints,
} from '../../imports/karpenter.sh';
