import { NodePoolSpecTemplateSpecRequirements, NodePoolSpecTemplateSpecRequirementsOperator as Op } from '../../imports/karpenter.sh';

/** Well-known node labels that NodePool requirements select on. */
export const WellKnownLabels = {
  ARCH: 'kubernetes.io/arch',
  OS: 'kubernetes.io/os',
  CAPACITY_TYPE: 'karpenter.sh/capacity-type',
  INSTANCE_TYPE: 'node.kubernetes.io/instance-type',
  ZONE: 'topology.kubernetes.io/zone',
  INSTANCE_CATEGORY: 'karpenter.k8s.aws/instance-category',
  INSTANCE_FAMILY: 'karpenter.k8s.aws/instance-family',
  INSTANCE_GENERATION: 'karpenter.k8s.aws/instance-generation',
  INSTANCE_CPU: 'karpenter.k8s.aws/instance-cpu',
  INSTANCE_MEMORY: 'karpenter.k8s.aws/instance-memory',
  INSTANCE_LOCAL_NVME: 'karpenter.k8s.aws/instance-local-nvme',
} as const;

/** Factories for NodePool `requirements`, one per operator. */
export class Requirement {
  /** The label has one of the values. */
  public static in(key: string, ...values: string[]): NodePoolSpecTemplateSpecRequirements {
    return { key, operator: Op.IN, values };
  }

  /** The label has none of the values (or is absent). */
  public static notIn(key: string, ...values: string[]): NodePoolSpecTemplateSpecRequirements {
    return { key, operator: Op.NOT_IN, values };
  }

  /** The label is present. */
  public static exists(key: string): NodePoolSpecTemplateSpecRequirements {
    return { key, operator: Op.EXISTS };
  }

  /** The label is absent. */
  public static doesNotExist(key: string): NodePoolSpecTemplateSpecRequirements {
    return { key, operator: Op.DOES_NOT_EXIST };
  }

  /** The label is an integer greater than `value`. */
  public static greaterThan(key: string, value: number): NodePoolSpecTemplateSpecRequirements {
    return { key, operator: Op.GT, values: [String(value)] };
  }

  /** The label is an integer less than `value`. */
  public static lessThan(key: string, value: number): NodePoolSpecTemplateSpecRequirements {
    return { key, operator: Op.LT, values: [String(value)] };
  }
}

/**
 * The requirements a NodePool gets when none are given: Linux on-demand
 * instances of the general-purpose, compute and memory categories, generation 3 or newer.
 */
export const DEFAULT_REQUIREMENTS: readonly NodePoolSpecTemplateSpecRequirements[] = [
  Requirement.in(WellKnownLabels.OS, 'linux'),
  Requirement.in(WellKnownLabels.CAPACITY_TYPE, 'on-demand'),
  Requirement.in(WellKnownLabels.INSTANCE_CATEGORY, 'c', 'm', 'r'),
  Requirement.greaterThan(WellKnownLabels.INSTANCE_GENERATION, 2),
];
