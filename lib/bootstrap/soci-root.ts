/**
 * Where the manual install may keep SOCI's data (`--root`, repeated as
 * containerd's `proxy_plugins.soci.exports.root`). The daemon runs as root,
 * creates, replaces and removes whatever lies under that directory, and
 * containerd mounts snapshots out of it, so it must be a directory of its
 * own. The builder refuses other roots and the validator reports them in
 * rendered user data, both through {@link sociRootProblem}.
 *
 * The rule: a path strictly below `/var/lib`, `/mnt`, `/opt` or `/srv` (a leaf
 * of its own, never the parent itself), that is neither the state directory
 * of another service on the node nor inside one. Below `/var/lib/containerd`
 * only containerd's directory for the soci snapshotter plugin is allowed
 * (the default); containerd's other plugins own the rest of that tree.
 */
import { DEFAULT_MANUAL_SOCI_ROOT } from './soci-facts';

/** Directories a SOCI root may be created below. */
export const SOCI_ROOT_PARENTS: readonly string[] = ['/var/lib', '/mnt', '/opt', '/srv'];

/** containerd's state directory; SOCI's default root is its soci snapshotter plugin directory. */
const CONTAINERD_STATE_DIR = '/var/lib/containerd';

/** State directories of the node's other services (AL2023 EKS AMI): neither they nor anything inside them. */
const FOREIGN_STATE_DIRS: readonly string[] = [
  '/var/lib/kubelet',
  '/var/lib/cloud',
  '/var/lib/systemd',
  '/var/lib/rpm',
  '/var/lib/dnf',
  '/var/lib/docker',
  '/var/lib/amazon',
  '/var/lib/eks',
];

/** The rule as a sentence, for error messages and docs. */
export const SOCI_ROOT_RULE =
  `a directory of SOCI's own below ${SOCI_ROOT_PARENTS.join(', ')} (such as "/var/lib/soci-snapshotter-grpc" or "/mnt/soci"), ` +
  `not a system directory and not inside another service's state (${[CONTAINERD_STATE_DIR, ...FOREIGN_STATE_DIRS.slice(0, 2)].join(', ')}, ...); ` +
  `below ${CONTAINERD_STATE_DIR} only the default "${DEFAULT_MANUAL_SOCI_ROOT}"`;

const within = (path: string, dir: string) => path === dir || path.startsWith(`${dir}/`);

/**
 * Why `root` may not be SOCI's root, or undefined when it may. `root` is an
 * absolute path without `.`/`..` segments or a trailing `/` (the builder checks
 * the syntax first; the validator reports any other path as not dedicated).
 */
export function sociRootProblem(root: string): string | undefined {
  const segments = root.split('/');
  if (!root.startsWith('/') || root.endsWith('/') || segments.some((s) => s === '.' || s === '..') || root.includes('//')) {
    return 'it is not a plain absolute path';
  }
  if (within(root, CONTAINERD_STATE_DIR)) {
    if (root === DEFAULT_MANUAL_SOCI_ROOT) return undefined;
    return root === CONTAINERD_STATE_DIR
      ? `it is containerd's state directory`
      : `it is inside containerd's state directory ${CONTAINERD_STATE_DIR}, where every other directory belongs to one of containerd's plugins`;
  }
  const foreign = FOREIGN_STATE_DIRS.find((dir) => within(root, dir));
  if (foreign) return `it is ${root === foreign ? '' : 'inside '}${foreign}, another service's state directory`;
  if (!SOCI_ROOT_PARENTS.some((parent) => root.startsWith(`${parent}/`))) {
    return SOCI_ROOT_PARENTS.includes(root) || segments.length <= 2
      ? 'it is a system directory that other software shares'
      : `it is not below ${SOCI_ROOT_PARENTS.join(', ')}`;
  }
  return undefined;
}
