import { ApiObjectMetadata } from 'cdk8s';
import { Construct } from 'constructs';
import * as k from '../../imports/karpenter.sh';
import { ConfigError } from '../errors';
import { SociGuard } from '../validation/acknowledgements';
import { objectMetadata } from './acknowledge';
import { Ec2NodeClass } from './ec2-node-class';
import { checkCrdConformance, validateAtSynth } from './crd-conformance';
import { checkDnsLabel, checkDuration, checkIntegerInRange, kebabCase } from './prop-checks';
import { DEFAULT_REQUIREMENTS } from './requirement';

/** How and when Karpenter may replace the pool's nodes. */
export interface DisruptionProps {
  /**
   * Which nodes consolidation may remove.
   * @default WHEN_EMPTY_OR_UNDERUTILIZED
   */
  readonly consolidationPolicy?: k.NodePoolSpecDisruptionConsolidationPolicy;
  /**
   * How long a node must be consolidatable before Karpenter acts (`30s`, `5m`, `1h`), or `Never`.
   * Karpenter rejects a disruption block without it, so it is always written.
   * @default '0s'
   */
  readonly consolidateAfter?: string;
  /**
   * Limits on how many nodes may be disrupted at once.
   * @default - Karpenter's default, 10% of nodes
   */
  readonly budgets?: k.NodePoolSpecDisruptionBudgets[];
}

/** Props of a {@link NodePool}. */
export interface NodePoolProps {
  /**
   * Object metadata; `name` must be a DNS-1123 label.
   * @default - name: the construct id in kebab-case
   */
  readonly metadata?: ApiObjectMetadata;

  /** The EC2NodeClass the pool launches nodes with; its bootstrap's requirements are added to the pool. */
  readonly nodeClass: Ec2NodeClass;

  /**
   * Constraints on the instances (see `Requirement` and `WellKnownLabels`).
   * @default - Linux, on-demand, categories c/m/r, generation > 2
   */
  readonly requirements?: k.NodePoolSpecTemplateSpecRequirements[];

  /**
   * Labels put on every node.
   * @default - none
   */
  readonly labels?: { [key: string]: string };

  /**
   * Annotations put on every node.
   * @default - none
   */
  readonly nodeAnnotations?: { [key: string]: string };

  /**
   * Taints put on every node.
   * @default - none
   */
  readonly taints?: k.NodePoolSpecTemplateSpecTaints[];

  /**
   * Taints present while the node starts, removed by a daemon once it is ready.
   * @default - none
   */
  readonly startupTaints?: k.NodePoolSpecTemplateSpecStartupTaints[];

  /**
   * Caps on the pool's total resources, for example `{ cpu: 1000, memory: '1000Gi' }`.
   * @default - no limit
   */
  readonly limits?: { [resource: string]: number | string };

  /**
   * Priority among NodePools that fit a pod, 1 to 100 (higher first).
   * @default - no weight
   */
  readonly weight?: number;

  /**
   * Node lifetime before it is replaced (`720h`), or `Never`.
   * @default '720h'
   */
  readonly expireAfter?: string;

  /**
   * How long a draining node may wait for pods before it is terminated anyway.
   * @default - wait for pods indefinitely
   */
  readonly terminationGracePeriod?: string;

  /**
   * Consolidation settings.
   * @default - WhenEmptyOrUnderutilized after 0s, Karpenter's default budget
   */
  readonly disruption?: DisruptionProps;

  /**
   * Guards to accept on purpose, recorded in the object's annotations.
   * @default - none
   */
  readonly acknowledge?: SociGuard[];
}

const QUANTITY = /^[0-9]+(\.[0-9]+)?(m|k|Ki|M|Mi|G|Gi|T|Ti|P|Pi|E|Ei)?$/;

/**
 * A Karpenter `NodePool` (karpenter.sh/v1) bound to an {@link Ec2NodeClass}: the
 * `nodeClassRef` is filled from the class, and the requirements its bootstrap needs
 * (such as a minimum size for the FastImagePull gate) are added.
 *
 * The generated L1 object is the child `Resource` (escape hatch: `ApiObject.of(pool).addJsonPatch(...)`).
 */
export class NodePool extends Construct {
  /** `metadata.name` of the NodePool. */
  public readonly name: string;
  /** The node class the pool uses. */
  public readonly nodeClass: Ec2NodeClass;
  /** The generated L1 object. */
  public readonly resource: k.NodePool;

  public constructor(scope: Construct, id: string, props: NodePoolProps) {
    super(scope, id);
    this.name = checkDnsLabel(this, 'metadata.name', props.metadata?.name ?? kebabCase(id));
    if (!(props?.nodeClass instanceof Ec2NodeClass)) {
      throw new ConfigError(this.node.path, 'nodeClass', props?.nodeClass, 'an Ec2NodeClass construct from this library; every NodePool needs one');
    }
    this.nodeClass = props.nodeClass;
    this.node.addDependency(props.nodeClass);

    this.resource = new k.NodePool(this, 'Resource', {
      metadata: objectMetadata(this.name, props.metadata, props.acknowledge),
      spec: {
        weight: checkIntegerInRange(this, 'weight', props.weight, 1, 100),
        limits: limits(this, props.limits),
        disruption: disruption(this, props.disruption),
        template: {
          metadata: props.labels || props.nodeAnnotations ? { labels: props.labels, annotations: props.nodeAnnotations } : undefined,
          spec: {
            nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: props.nodeClass.name },
            requirements: [
              ...(props.requirements ?? DEFAULT_REQUIREMENTS),
              ...(props.nodeClass.bootstrap?.nodeRequirements ?? []),
            ],
            taints: nonEmpty(props.taints),
            startupTaints: nonEmpty(props.startupTaints),
            expireAfter: checkDuration(this, 'expireAfter', props.expireAfter ?? '720h', true),
            terminationGracePeriod: checkDuration(this, 'terminationGracePeriod', props.terminationGracePeriod, false),
          },
        },
      },
    });
    checkCrdConformance(this, this.resource);
    validateAtSynth(this, this.resource, () => [props.nodeClass.resource]);
  }
}

function disruption(scope: Construct, props: DisruptionProps = {}): k.NodePoolSpecDisruption {
  return {
    consolidationPolicy: props.consolidationPolicy ?? k.NodePoolSpecDisruptionConsolidationPolicy.WHEN_EMPTY_OR_UNDERUTILIZED,
    consolidateAfter: checkDuration(scope, 'disruption.consolidateAfter', props.consolidateAfter ?? '0s', true)!,
    budgets: nonEmpty(props.budgets),
  };
}

function limits(scope: Construct, given: NodePoolProps['limits']): { [key: string]: k.NodePoolSpecLimits } | undefined {
  if (!given) return undefined;
  const result: { [key: string]: k.NodePoolSpecLimits } = {};
  for (const [resource, value] of Object.entries(given)) {
    if (typeof value === 'number' && Number.isFinite(value) && value >= 0) {
      result[resource] = k.NodePoolSpecLimits.fromNumber(value);
    } else if (typeof value === 'string' && QUANTITY.test(value)) {
      result[resource] = k.NodePoolSpecLimits.fromString(value);
    } else {
      throw new ConfigError(scope.node.path, `limits.${resource}`, value, 'a non-negative number or a Kubernetes quantity such as "1000", "500m" or "1000Gi"');
    }
  }
  return result;
}

/** Karpenter rejects some empty lists; an unset list is always fine. */
function nonEmpty<T>(list: T[] | undefined): T[] | undefined {
  return list && list.length > 0 ? list : undefined;
}
