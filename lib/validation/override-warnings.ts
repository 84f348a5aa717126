/**
 * Warnings for settings that do not do what they appear to: unpinned AMIs,
 * and user-data fields that Karpenter's own NodeConfig (or Bottlerocket
 * settings) always overrides (Karpenter v1.14.1 pkg/providers/amifamily/bootstrap/nodeadm.go and bottlerocket.go).
 */
import { childPointer, Finding, finding, ObjectRef } from './finding';
import { userDataPath } from './guard-finding';
import { at, isObject } from './manifest-kinds';
import { NodeClassFacts } from './node-class-facts';

export const AMI_LATEST_RULE = 'ami-latest';
export const KARPENTER_OVERRIDE_RULE = 'karpenter-overrides';

export function checkLatestAlias(ref: ObjectRef, facts: NodeClassFacts): Finding[] {
  const terms = at(facts.manifest, 'spec', 'amiSelectorTerms');
  if (!Array.isArray(terms)) return [];
  return terms.flatMap((term, i) => {
    const alias = at(term, 'alias');
    if (typeof alias !== 'string' || !alias.endsWith('@latest')) return [];
    return [
      finding(ref, 'warning', AMI_LATEST_RULE, `/spec/amiSelectorTerms/${i}/alias`, alias, `"${alias}" follows every AMI release: nodes drift and are replaced whenever AWS publishes an AMI, and a new nodeadm or containerd reaches production untested. Pin a version (for example "${alias.split('@')[0]}@v20260724").`),
    ];
  });
}

/** kubelet.config keys Karpenter always writes in its NodeConfig, which comes last and wins. */
const OVERRIDDEN_KUBELET_CONFIG = {
  maxPods: 'set spec.kubelet.maxPods on the EC2NodeClass',
  clusterDNS: 'set spec.kubelet.clusterDNS on the EC2NodeClass',
  registerWithTaints: 'put taints in the NodePool (spec.template.spec.taints / startupTaints)',
} as const;

export function checkKarpenterOverrides(ref: ObjectRef, facts: NodeClassFacts): Finding[] {
  const findings: Finding[] = [];
  const warn = (path: string, value: unknown, message: string) => findings.push(finding(ref, 'warning', KARPENTER_OVERRIDE_RULE, path, value, message));
  for (const { partIndex, document } of facts.read.nodeConfigs) {
    const cluster = at(document, 'spec', 'cluster');
    if (isObject(cluster)) {
      for (const key of Object.keys(cluster)) {
        warn(userDataPath(partIndex, `/spec/cluster/${key}`), cluster[key], `Karpenter writes spec.cluster itself (name, endpoint, CA, CIDR) in a NodeConfig that comes last and wins; this value is overridden. Remove spec.cluster from the user data.`);
      }
    }
    for (const [key, fix] of Object.entries(OVERRIDDEN_KUBELET_CONFIG)) {
      const value = at(document, 'spec', 'kubelet', 'config', key);
      if (value !== undefined) warn(userDataPath(partIndex, `/spec/kubelet/config/${key}`), value, `Karpenter always writes kubelet.config.${key} in its NodeConfig, which comes last and wins; this value is overridden. Instead, ${fix}.`);
    }
    const flags = at(document, 'spec', 'kubelet', 'flags');
    if (Array.isArray(flags)) {
      flags.forEach((flag, i) => {
        if (typeof flag === 'string' && /^--(node-labels|register-with-taints)\b/.test(flag)) {
          warn(userDataPath(partIndex, `/spec/kubelet/flags/${i}`), flag, `Karpenter appends its own ${flag.split('=')[0]} flag after user flags, so this one is overridden. Put labels and taints in the NodePool template instead.`);
        }
      });
    }
  }
  findings.push(...checkBottlerocketOverrides(ref, facts));
  return findings;
}

/** Bottlerocket `settings.kubernetes` keys Karpenter always replaces. */
const OVERRIDDEN_BOTTLEROCKET = ['cluster-name', 'api-server', 'cluster-certificate', 'node-taints', 'max-pods', 'cluster-dns-ip'];

function checkBottlerocketOverrides(ref: ObjectRef, facts: NodeClassFacts): Finding[] {
  const kubernetes = at(facts.read.bottlerocketSettings, 'settings', 'kubernetes');
  if (!isObject(kubernetes)) return [];
  return OVERRIDDEN_BOTTLEROCKET.filter((key) => key in kubernetes).map((key) =>
    finding(ref, 'warning', KARPENTER_OVERRIDE_RULE, childPointer('/spec/userData[settings.kubernetes]', key), kubernetes[key], `Karpenter overrides settings.kubernetes.${key} in Bottlerocket user data. Use the EC2NodeClass spec.kubelet fields or the NodePool (taints) instead.`),
  );
}
