/**
 * A package-lock.json for the team app, cut from this repository's lock, so
 * `npm install --offline` takes every tarball from the npm cache by its integrity.
 *
 * Why a lock: npm resolves a range from the registry's full packument, and the
 * cache holds few of those (a lock-based `npm ci` only fetches tarballs). A lock
 * whose entries carry name, version and integrity lets npm skip resolution.
 * The team app's tree keeps this repository's layout (hoisted paths), so each
 * copied entry still resolves its dependencies the way it does here.
 */
import * as path from 'node:path';

/** One `packages` entry of a lockfileVersion 3 lock. */
export interface LockEntry {
  readonly version?: string;
  readonly integrity?: string;
  readonly resolved?: string;
  readonly optional?: boolean;
  readonly dependencies?: Readonly<Record<string, string>>;
  readonly optionalDependencies?: Readonly<Record<string, string>>;
  readonly peerDependencies?: Readonly<Record<string, string>>;
  readonly peerDependenciesMeta?: Readonly<Record<string, { readonly optional?: boolean }>>;
  readonly [field: string]: unknown;
}

export interface Lockfile {
  readonly name: string;
  readonly version: string;
  readonly lockfileVersion: 3;
  readonly requires: true;
  readonly packages: Readonly<Record<string, LockEntry>>;
}

/** The team app: its manifest, and where each direct dependency comes from. */
export interface TeamAppLockProps {
  readonly name: string;
  readonly version: string;
  readonly dependencies: Readonly<Record<string, string>>;
  readonly devDependencies: Readonly<Record<string, string>>;
  /**
   * The lock entry of each direct dependency: a path in the repository lock
   * (`node_modules/jsii/node_modules/typescript` to hoist a nested copy) or a
   * whole entry (the packed tarball).
   */
  readonly direct: Readonly<Record<string, string | LockEntry>>;
  /** The registry the cached tarballs came from (`npm config get registry`). */
  readonly registry: string;
}

/** Flags npm derives from the root's dependency types; recomputed by npm on install. */
const DERIVED_FLAGS = ['dev', 'peer', 'devOptional'];

export function teamAppLockfile(repoLock: Lockfile, props: TeamAppLockProps): Lockfile {
  const repo = repoLock.packages;
  const packages: Record<string, LockEntry> = {
    '': { name: props.name, version: props.version, dependencies: props.dependencies, devDependencies: props.devDependencies },
  };
  // Team path -> repository path it was copied from ('' for entries given whole).
  const sourceOf = new Map<string, string>();
  const queue: Array<{ teamPath: string; sourcePath: string }> = [];

  const place = (teamPath: string, sourcePath: string, entry: LockEntry) => {
    packages[teamPath] = withTarballUrl(withoutDerivedFlags(entry), teamPath, props.registry);
    sourceOf.set(teamPath, sourcePath);
    queue.push({ teamPath, sourcePath });
  };

  for (const [name, from] of Object.entries(props.direct)) {
    const teamPath = `node_modules/${name}`;
    if (typeof from === 'string') {
      const entry = repo[from];
      if (!entry) throw new Error(`the repository lock has no ${from}`);
      place(teamPath, from, entry);
    } else {
      place(teamPath, '', from);
    }
  }

  while (queue.length > 0) {
    const { teamPath, sourcePath } = queue.shift()!;
    const entry = packages[teamPath]!;
    for (const { name: dependency, optional, peer } of dependenciesOf(entry)) {
      const existing = resolveIn(packages, teamPath, dependency);
      // A peer is shared with the requiring package's parent: whatever copy is there serves it.
      if (peer && existing) continue;
      // A dependency resolves from where the entry sat in the repository tree.
      const found = resolveIn(repo, sourcePath || 'node_modules/.', dependency);
      if (!found) {
        if (optional) continue;
        throw new Error(`${teamPath}: dependency ${dependency} is not in the repository lock`);
      }
      if (existing && sourceOf.get(existing) === found) continue;
      if (existing && packages[existing]!.version === repo[found]!.version) continue;
      // The hoisted slot holds another version (a direct dependency replaced it): nest it.
      const target = existing === `node_modules/${dependency}` ? `${teamPath}/node_modules/${dependency}` : found;
      if (packages[target]) continue;
      place(target, found, repo[found]!);
    }
  }
  return { name: props.name, version: props.version, lockfileVersion: 3, requires: true, packages: sortedByPath(packages) };
}

/** Dependencies npm installs for an entry: regular, optional, and non-optional peers. */
function dependenciesOf(entry: LockEntry): Array<{ name: string; optional: boolean; peer: boolean }> {
  return [
    ...Object.keys(entry.dependencies ?? {}).map((name) => ({ name, optional: false, peer: false })),
    ...Object.keys(entry.optionalDependencies ?? {}).map((name) => ({ name, optional: true, peer: false })),
    ...Object.keys(entry.peerDependencies ?? {}).map((name) => ({ name, optional: entry.peerDependenciesMeta?.[name]?.optional === true, peer: true })),
  ];
}

/** Node's lookup: `<dir>/node_modules/<name>`, then each ancestor's. */
function resolveIn(packages: Readonly<Record<string, LockEntry>>, fromPath: string, name: string): string | undefined {
  let dir = fromPath;
  for (;;) {
    const candidate = `${dir}/node_modules/${name}`.replace(/^\.?\//, '');
    if (packages[candidate]) return candidate;
    if (dir === '' || dir === '.') return undefined;
    const parent = parentPackage(dir);
    dir = parent;
  }
}

/** `node_modules/a/node_modules/b` -> `node_modules/a`; `node_modules/a` -> ''. */
function parentPackage(packagePath: string): string {
  const at = packagePath.lastIndexOf('/node_modules/');
  return at < 0 ? '' : packagePath.slice(0, at);
}

function withoutDerivedFlags(entry: LockEntry): LockEntry {
  const copy: Record<string, unknown> = { ...entry };
  for (const flag of DERIVED_FLAGS) delete copy[flag];
  return copy as LockEntry;
}

/**
 * This repository's lock omits `resolved` (omit-lockfile-registry-resolved); without it npm
 * asks the registry for the packument at install, so the tarball URL is written back in.
 */
function withTarballUrl(entry: LockEntry, teamPath: string, registry: string): LockEntry {
  if (entry.resolved || entry.inBundle || !entry.version) return entry;
  const name = teamPath.slice(teamPath.lastIndexOf('node_modules/') + 'node_modules/'.length);
  const base = name.slice(name.lastIndexOf('/') + 1);
  return { ...entry, resolved: `${registry.replace(/\/$/, '')}/${name}/-/${base}-${entry.version}.tgz` };
}

function sortedByPath(packages: Record<string, LockEntry>): Record<string, LockEntry> {
  return Object.fromEntries(Object.entries(packages).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The repository lock entry of `name` whose version starts with `prefix` (for example `5.9.`). */
export function lockPathOf(repoLock: Lockfile, name: string, versionPrefix: string): string {
  const matches = Object.entries(repoLock.packages)
    .filter(([p, e]) => (p === `node_modules/${name}` || p.endsWith(`/node_modules/${name}`)) && e.version?.startsWith(versionPrefix))
    .map(([p]) => p)
    .sort();
  if (matches.length === 0) throw new Error(`the repository lock has no ${name}@${versionPrefix}*`);
  return matches[0]!;
}

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
