/**
 * Works out the smallest instance a NodePool's requirements allow, from the
 * `karpenter.k8s.aws/instance-cpu` and `instance-memory` requirements.
 * Requirements are ANDed, so the bounds of several requirements on one key
 * combine to the tightest one.
 */
import { isObject } from './manifest-kinds';

export const INSTANCE_CPU_LABEL = 'karpenter.k8s.aws/instance-cpu';
export const INSTANCE_MEMORY_LABEL = 'karpenter.k8s.aws/instance-memory';

export interface InstanceFloor {
  /** The smallest vCPU count allowed; 0 when nothing bounds it. */
  readonly minVcpu: number;
  /** The smallest memory allowed, in MiB; 0 when nothing bounds it. */
  readonly minMemoryMib: number;
}

/** The lower bound one requirement puts on a numeric label, or 0 when it puts none. */
function lowerBound(operator: unknown, values: readonly unknown[]): number {
  const numbers = values.map((v) => Number(v)).filter((n) => Number.isFinite(n));
  switch (operator) {
    case 'Gt':
      return numbers.length === 1 ? Math.floor(numbers[0]) + 1 : 0;
    case 'Gte':
      return numbers.length === 1 ? numbers[0] : 0;
    case 'In':
      // Every allowed value must be numeric for the smallest one to bound the label.
      return numbers.length > 0 && numbers.length === values.length ? Math.min(...numbers) : 0;
    default:
      // NotIn, Lt, Lte, Exists, DoesNotExist put no lower bound on the label.
      return 0;
  }
}

/** Reads the instance floor from `spec.template.spec.requirements`. */
export function instanceFloor(requirements: unknown): InstanceFloor {
  let minVcpu = 0;
  let minMemoryMib = 0;
  for (const requirement of Array.isArray(requirements) ? requirements : []) {
    if (!isObject(requirement)) continue;
    const values = Array.isArray(requirement.values) ? requirement.values : [];
    const bound = lowerBound(requirement.operator, values);
    if (requirement.key === INSTANCE_CPU_LABEL) minVcpu = Math.max(minVcpu, bound);
    if (requirement.key === INSTANCE_MEMORY_LABEL) minMemoryMib = Math.max(minMemoryMib, bound);
  }
  return { minVcpu, minMemoryMib };
}
