import { ConfigError, Redacted } from '../errors';
import type { DownloadPolicy } from './scripts/manual-install-script';
import { SOCI_ROOT_RULE, sociRootProblem } from './soci-root';
import { compareVersions, DEFAULT_MANUAL_SOCI_ROOT, DEFAULT_SOCI_VERSION, MIN_SOCI_VERSION, SHA256_PATTERN, SOCI_RELEASE_BASE_URL } from './soci-facts';

/** How the manual install downloads the release; every field is bounded so a dead mirror cannot stall a boot for long. */
export interface DownloadOptions {
  /**
   * Extra attempts after a failed download (0 = try once). Whole number 0–10.
   * @default 5
   */
  readonly retries?: number;
  /**
   * Wait between attempts, in seconds. Whole number 0–60.
   * @default 5
   */
  readonly retryDelaySeconds?: number;
  /**
   * curl connect timeout per attempt, in seconds. Whole number 1–60.
   * @default 10
   */
  readonly connectTimeoutSeconds?: number;
  /**
   * Time limit per attempt (the whole transfer), in seconds. Whole number 10–900.
   * @default 300
   */
  readonly maxTimeSeconds?: number;
}

/** sha256 digests of the release archives, per architecture (64 hex digits each). */
export interface PinnedSha256 {
  /**
   * Digest of `soci-snapshotter-<ver>-linux-amd64.tar.gz`.
   * @default - only the published `.sha256sum` is checked on amd64 nodes
   */
  readonly amd64?: string;
  /**
   * Digest of `soci-snapshotter-<ver>-linux-arm64.tar.gz`.
   * @default - only the published `.sha256sum` is checked on arm64 nodes
   */
  readonly arm64?: string;
}

const DOWNLOAD_BOUNDS: Record<keyof DownloadOptions, { min: number; max: number; default: number }> = {
  retries: { min: 0, max: 10, default: 5 },
  retryDelaySeconds: { min: 0, max: 60, default: 5 },
  connectTimeoutSeconds: { min: 1, max: 60, default: 10 },
  maxTimeSeconds: { min: 10, max: 900, default: 300 },
};

/** The defaults of {@link DownloadOptions}. */
export const DEFAULT_DOWNLOAD_POLICY: DownloadPolicy = {
  retries: DOWNLOAD_BOUNDS.retries.default,
  retryDelaySeconds: DOWNLOAD_BOUNDS.retryDelaySeconds.default,
  connectTimeoutSeconds: DOWNLOAD_BOUNDS.connectTimeoutSeconds.default,
  maxTimeSeconds: DOWNLOAD_BOUNDS.maxTimeSeconds.default,
};

/** Resolves {@link DownloadOptions} to the script's policy, checking each bound. */
export function resolveDownloadPolicy(where: string, options: DownloadOptions | undefined): DownloadPolicy {
  const resolved: Record<string, number> = {};
  for (const [key, bounds] of Object.entries(DOWNLOAD_BOUNDS)) {
    const value = (options as Record<string, unknown> | undefined)?.[key] ?? bounds.default;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < bounds.min || value > bounds.max) {
      throw new ConfigError(where, `download.${key}`, value, `a whole number from ${bounds.min} to ${bounds.max}`);
    }
    resolved[key] = value;
  }
  for (const key of Object.keys(options ?? {})) {
    if (!(key in DOWNLOAD_BOUNDS)) {
      throw new ConfigError(where, `download.${key}`, (options as Record<string, unknown>)[key], `not a download option; use ${Object.keys(DOWNLOAD_BOUNDS).join(', ')}`);
    }
  }
  return resolved as unknown as DownloadPolicy;
}

const RELEASE_VERSION = /^v?(\d+\.\d+\.\d+)$/;

/** A SOCI release without its leading `v`, refusing releases without parallel mode. */
export function resolveSociVersion(where: string, version: string | undefined): string {
  const given = version ?? DEFAULT_SOCI_VERSION;
  const match = typeof given === 'string' ? RELEASE_VERSION.exec(given) : null;
  if (!match) {
    throw new ConfigError(where, 'sociVersion', given, `a release such as "${DEFAULT_SOCI_VERSION}" (MAJOR.MINOR.PATCH, leading "v" optional)`);
  }
  if (compareVersions(match[1], MIN_SOCI_VERSION) < 0) {
    throw new ConfigError(where, 'sociVersion', given, `${MIN_SOCI_VERSION} or later: parallel pull mode first shipped in v${MIN_SOCI_VERSION}`);
  }
  return match[1];
}

/** Characters allowed in a mirror URL: no whitespace, quotes, backslashes or shell expansions. */
const MIRROR_URL = /^(https?):\/\/[A-Za-z0-9._~:@%+,;=/-]+$/;

/**
 * The release base URL: SOCI's GitHub releases, or a mirror holding the same
 * `v<ver>/<archive>` layout. Trailing slashes are dropped; http needs `allowInsecureMirror`.
 */
export function resolveReleaseBaseUrl(where: string, mirrorBaseUrl: string | undefined, allowInsecureMirror: boolean): string {
  if (mirrorBaseUrl === undefined) return SOCI_RELEASE_BASE_URL;
  const url = typeof mirrorBaseUrl === 'string' ? mirrorBaseUrl.replace(/\/+$/, '') : '';
  // Before any other check, so that no message repeats the credentials.
  refuseCredentials(where, 'mirrorBaseUrl', url);
  const match = MIRROR_URL.exec(url);
  let parsed: URL | undefined;
  try {
    parsed = match ? new URL(url) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!match || !parsed || parsed.hostname === '') {
    throw new ConfigError(where, 'mirrorBaseUrl', mirrorBaseUrl,
      'an https:// URL without query, fragment, whitespace or quotes, under which v<version>/soci-snapshotter-<version>-linux-<arch>.tar.gz and .sha256sum are served');
  }
  if (match[1] !== 'https' && !allowInsecureMirror) {
    throw new ConfigError(where, 'mirrorBaseUrl', mirrorBaseUrl, 'an https:// URL; to download over plain http set allowInsecureMirror: true and pin sha256 for amd64 and arm64');
  }
  return url;
}

/**
 * Refuses a URL with credentials without repeating them: user data is readable by every
 * process on the node through IMDS, is logged by the script, and is committed with the manifests.
 */
export function refuseCredentials(where: string, field: string, url: string): void {
  if (hasUserinfo(url)) {
    throw new ConfigError(where, field, new Redacted(`a URL with credentials: ${withoutUserinfo(url)}`),
      'a URL without "user:password@" or "user@": user data is readable by every process on the node through IMDS and is committed with the manifests. Let the mirror authorise by network (VPC endpoint policy, security group), or install SOCI in the AMI');
  }
}

/** The authority of `scheme://authority/path` holds credentials (`user@`, `user:pass@`, even an empty `@`). */
function hasUserinfo(url: string): boolean {
  return authorityOf(url).includes('@');
}

function authorityOf(url: string): string {
  return url.replace(/^[a-z]+:\/\//i, '').split('/')[0];
}

/** The URL with its userinfo replaced, safe to show. */
function withoutUserinfo(url: string): string {
  const authority = authorityOf(url);
  return url.replace(authority, `***@${authority.slice(authority.lastIndexOf('@') + 1)}`);
}

/**
 * A plain-http mirror (or an https one allowed to redirect to http) lets
 * anyone on the path serve an archive together with a matching `.sha256sum`:
 * only digests fixed in the user data, for every architecture, still tell a
 * genuine archive from a forged one that then runs as root.
 */
export function checkInsecureMirrorPins(where: string, allowInsecureMirror: boolean, pins: PinnedSha256): void {
  if (!allowInsecureMirror) return;
  const missing = (['amd64', 'arm64'] as const).filter((arch) => pins[arch] === undefined);
  if (missing.length > 0) {
    throw new ConfigError(where, 'allowInsecureMirror', true,
      `only together with a pinned sha256 for every architecture (missing: ${missing.map((arch) => `sha256.${arch}`).join(', ')}): over plain http anyone on the path can serve a forged archive with a matching .sha256sum, and the install runs it as root`);
  }
}

/** Checks each pinned digest; they are compared case-insensitively on the node. */
export function resolvePinnedSha256(where: string, pins: PinnedSha256 | undefined): PinnedSha256 {
  for (const [arch, digest] of Object.entries(pins ?? {})) {
    if (arch !== 'amd64' && arch !== 'arm64') {
      throw new ConfigError(where, `sha256.${arch}`, digest, 'only amd64 and arm64 archives are published');
    }
    if (digest !== undefined && (typeof digest !== 'string' || !SHA256_PATTERN.test(digest))) {
      throw new ConfigError(where, `sha256.${arch}`, digest, 'a sha256 digest: 64 hex digits, as in the release\'s .sha256sum file');
    }
  }
  return { amd64: pins?.amd64, arm64: pins?.arm64 };
}

const ROOT_PATH = /^\/[A-Za-z0-9._/-]*[A-Za-z0-9._-]$/;

/** The daemon's `--root`, which containerd's `exports.root` repeats: a dedicated directory (see {@link sociRootProblem}). */
export function resolveSociRoot(where: string, sociRoot: string | undefined): string {
  const root = sociRoot ?? DEFAULT_MANUAL_SOCI_ROOT;
  if (typeof root !== 'string' || !ROOT_PATH.test(root) || root.split('/').some((segment) => segment === '.' || segment === '..')) {
    throw new ConfigError(where, 'sociRoot', root, `an absolute directory path of letters, digits, ".", "_", "-" and "/" without a trailing "/", such as "${DEFAULT_MANUAL_SOCI_ROOT}"`);
  }
  const problem = sociRootProblem(root);
  if (problem) {
    throw new ConfigError(where, 'sociRoot', root, `${problem}, and SOCI's daemon (running as root) replaces what lies under its root; use ${SOCI_ROOT_RULE}`);
  }
  return root;
}
