/**
 * Findings that are errors by default but can be accepted on purpose.
 *
 * Constructs take them through their `acknowledge` prop and record them in the
 * object's annotation {@link ACKNOWLEDGE_ANNOTATION}, so the decision travels
 * with the manifest: the validation plugin, a reviewer of the GitOps diff and
 * `npm run synth` all see the same thing.
 */
export enum SociGuard {
  /** FastImagePull on a NodePool that also allows instances below 4 vCPU or 7 GiB (nodeadm ignores the gate there). */
  SMALL_INSTANCES = 'small-instances',
  /** SOCI data on EBS (no instance store, or `disabledMounts: [SOCI]`) with gp3 throughput under 600 MiB/s. */
  EBS_THROUGHPUT = 'ebs-throughput',
  /** A containerd config that mixes schema v2 and v3 keys, or carries SOCI keys. */
  CONTAINERD_CONFIG = 'containerd-config',
  /** Parallel pull with SOCI's own content store and without discarding unpacked layers (SOCI refuses to start). */
  CONTENT_STORE = 'content-store',
  /** User data that, with Karpenter's reserve, would exceed EC2's 16,384-byte limit. */
  USER_DATA_SIZE = 'user-data-size',
  /** `{{` or `}}` in a string value of a Helm chart without escaping. */
  HELM_TEMPLATE_BRACES = 'helm-template-braces',
}

/** Annotation that lists the acknowledged guards of an object, comma-separated. */
export const ACKNOWLEDGE_ANNOTATION = 'karpenter-soci.cdk8s.io/acknowledge';

/** How to accept a guard's finding on purpose, for the end of a finding's message. */
export function acknowledgementHint(guard: SociGuard): string {
  return `If this is intended, acknowledge it: add "${guard}" to the annotation ${ACKNOWLEDGE_ANNOTATION} (comma-separated), or pass SociGuard.${guardKey(guard)} in the construct's acknowledge prop.`;
}

function guardKey(guard: SociGuard): string {
  return (Object.keys(SociGuard) as (keyof typeof SociGuard)[]).find((key) => SociGuard[key] === guard) ?? guard;
}
