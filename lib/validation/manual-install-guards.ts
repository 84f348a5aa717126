/**
 * Checks on the manual-install shell part (lib/bootstrap/scripts/manual-install-script.ts).
 * The builder refuses these values at construction; this catches user data
 * that was edited by hand or produced elsewhere. The script is recognised by
 * its fixed `readonly VERSION=` / `BASE_URL=` / `PINNED=` / `CURL_OPTS=` lines
 * and its unit's `ExecStart=` line, and only values written as a plain
 * single-quoted string are inspected. Besides values the node would reject,
 * it reports what would let others run code as root or read secrets: plain
 * http without a pin for every architecture, credentials in the release URL,
 * and a `--root` that is not a directory of SOCI's own.
 */
import { compareVersions, MIN_SOCI_VERSION, SHA256_PATTERN } from '../bootstrap/soci-facts';
import { SOCI_ROOT_RULE, sociRootProblem } from '../bootstrap/soci-root';
import { Redacted } from '../errors';
import { Finding, finding, ObjectRef } from './finding';
import { userDataPath } from './guard-finding';
import { NodeClassFacts } from './node-class-facts';
import { SHELL_CONTENT_TYPE } from './user-data-reader';

export const MANUAL_INSTALL_RULE = 'soci-manual-install';

const VERSION_LINE = /^readonly VERSION='([^']*)'$/m;
const BASE_URL_LINE = /^readonly BASE_URL='([^']*)'$/m;
const PINNED_LINE = /^declare -rA PINNED=\(\[amd64\]='([^']*)' \[arm64\]='([^']*)'\)$/m;
const CURL_OPTS_LINE = /^readonly CURL_OPTS=\((.*)\)$/m;
/** The daemon's `--root` in the soci-snapshotter.service unit the script writes. */
const EXEC_START_ROOT = /^ExecStart=\S*soci-snapshotter-grpc\b[^\n]*?\s--root\s+(\S+)/m;
/** curl options the script adds unless insecure mirrors are allowed. */
const HTTPS_ONLY = '--proto "=https"';

/** `host[:port]`, with any userinfo, of `scheme://authority/path`. */
function authority(url: string): string {
  return url.replace(/^[a-z]+:\/\//i, '').split('/')[0];
}

export function checkManualInstall(ref: ObjectRef, facts: NodeClassFacts): Finding[] {
  const findings: Finding[] = [];
  for (const part of facts.read.parts) {
    if (part.mediaType !== SHELL_CONTENT_TYPE) continue;
    const version = VERSION_LINE.exec(part.body)?.[1];
    if (version === undefined) continue;
    const path = (variable: string) => userDataPath(part.index, `/${variable}`);
    if (/^\d+(\.\d+)*$/.test(version) && compareVersions(version, MIN_SOCI_VERSION) < 0) {
      findings.push(finding(ref, 'error', MANUAL_INSTALL_RULE, path('VERSION'), version, `SOCI ${version} has no parallel pull mode (first in ${MIN_SOCI_VERSION}); the daemon would lazy-load instead. Use ${MIN_SOCI_VERSION} or newer.`));
    }
    const baseUrl = BASE_URL_LINE.exec(part.body)?.[1];
    const curlOpts = CURL_OPTS_LINE.exec(part.body)?.[1];
    const httpsOnly = curlOpts?.includes(HTTPS_ONLY) ?? true;
    if (baseUrl !== undefined && !baseUrl.startsWith('https://') && httpsOnly) {
      findings.push(finding(ref, 'error', MANUAL_INSTALL_RULE, path('BASE_URL'), baseUrl, `the release URL is not HTTPS while downloads are restricted to HTTPS, so every download fails and SOCI is not installed. Use an https:// mirror, or allow insecure mirrors explicitly (allowInsecureMirror).`));
    }
    if (baseUrl !== undefined && authority(baseUrl).includes('@')) {
      findings.push(finding(ref, 'error', MANUAL_INSTALL_RULE, path('BASE_URL'), new Redacted('a URL with credentials'), `the release URL carries credentials ("user:password@"); user data is readable by every process on the node through IMDS and is committed with the manifests. Remove them and let the mirror authorise by network (VPC endpoint policy, security group).`));
    }
    const pinned = PINNED_LINE.exec(part.body);
    for (const [arch, sha] of [['amd64', pinned?.[1]], ['arm64', pinned?.[2]]] as const) {
      if (sha && !SHA256_PATTERN.test(sha)) {
        findings.push(finding(ref, 'error', MANUAL_INSTALL_RULE, path(`PINNED/${arch}`), sha, `the pinned sha256 for ${arch} must be 64 hex digits; the checksum check would reject every download. Copy the value from the release's .sha256sum file.`));
      }
      if (pinned && !sha && !httpsOnly) {
        findings.push(finding(ref, 'error', MANUAL_INSTALL_RULE, path(`PINNED/${arch}`), sha, `downloads may use plain http (curl is not limited to https), yet no sha256 is pinned for ${arch}: anyone on the path can serve a forged archive with a matching .sha256sum, and the script installs it as root. Pin the sha256 of every architecture (sha256.amd64 and sha256.arm64), or download over https only.`));
      }
    }
    const root = EXEC_START_ROOT.exec(part.body)?.[1];
    const rootProblem = root === undefined ? undefined : sociRootProblem(root);
    if (rootProblem) {
      findings.push(finding(ref, 'error', MANUAL_INSTALL_RULE, path('soci-snapshotter.service/ExecStart/--root'), root, `SOCI's --root is not a directory of its own (${rootProblem}); the daemon runs as root and replaces what lies under its root. Use ${SOCI_ROOT_RULE}.`));
    }
  }
  return findings;
}
