/** Types of scripts/build-stamp.cjs, for the TypeScript that loads it (the launcher tests, the bench). */
export interface Freshness {
  readonly fresh: boolean;
  /** Set when build/ is current: the folder the compiled app is in. */
  readonly outDir?: string;
  /** Set when build/ is stale: the first difference found. */
  readonly reason?: string;
}
/** The project folder this copy of the module belongs to. */
export declare const PROJECT_DIR: string;
/** Whether build/ under `root` was compiled from the sources as they are now. */
export declare function buildFreshness(root?: string): Freshness;
/** The command line (`snapshot`, `commit`, `fresh`), for the project at `root`. */
export declare function main(argv: readonly string[], root?: string): void;
/** Size, mtime and sha1 of every source build/ under `root` is compiled from, as `snapshot` records them. */
export declare function snapshotSources(root?: string): {
  readonly outDir: string;
  readonly stamp: { readonly version: 1; readonly roots: string[]; readonly files: Record<string, { size: number; mtimeMs: number; sha1: string }> };
};
