import { ConfigError } from '../errors';

/** Where Argo CD and Flux read this project's `dist/` from: the Git repository it is committed to. */
export interface GitOpsSource {
  /**
   * The repository's clone URL, HTTPS (`https://github.com/acme/platform.git`) or SSH
   * (`ssh://git@github.com/acme/platform.git`, or `git@github.com:acme/platform.git` for Argo CD only).
   */
  readonly repoURL: string;
  /**
   * The branch Argo CD and Flux follow.
   * @default 'main'
   */
  readonly branch?: string;
  /**
   * The folder of the repository that holds the synthesized output.
   * @default 'dist'
   */
  readonly distPath?: string;
}

/** A {@link GitOpsSource} with its defaults applied and its fields checked. */
export interface ResolvedGitOpsSource {
  readonly repoURL: string;
  readonly branch: string;
  readonly distPath: string;
}

const WHERE = 'GitOpsSource';
// Flux's GitRepository accepts http, https and ssh URLs; plain http is refused here (no TLS).
const FLUX_URL = /^(https|ssh):\/\/[^\s/]+\/\S+$/;
const BRANCH = /^(?!\/|.*\/\/|.*\.\.|.*\/$)[A-Za-z0-9._/-]+$/;
const FOLDER = /^(?!\/|.*\/\/|.*\.\.|.*\/$)[A-Za-z0-9._/-]+$/;

/** Applies the defaults and refuses what Argo CD or Flux would not read, or would read insecurely. */
export function resolveGitOpsSource(source: GitOpsSource): ResolvedGitOpsSource {
  if (!FLUX_URL.test(source.repoURL)) {
    throw new ConfigError(WHERE, 'repoURL', source.repoURL, 'an https:// or ssh:// clone URL, such as "https://github.com/acme/platform.git" (Flux reads no scp-style git@host:path URLs, and http:// has no TLS)');
  }
  const branch = source.branch ?? 'main';
  if (!BRANCH.test(branch)) throw new ConfigError(WHERE, 'branch', branch, 'a branch name: letters, digits, ".", "_", "-" and "/" between path segments');
  const distPath = source.distPath ?? 'dist';
  if (!FOLDER.test(distPath)) throw new ConfigError(WHERE, 'distPath', distPath, 'a folder relative to the repository root, such as "dist", without "..", a leading or a trailing "/"');
  return { repoURL: source.repoURL, branch, distPath };
}
