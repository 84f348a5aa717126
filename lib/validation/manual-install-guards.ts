/**
 * Checks on the manual-install shell part (lib/bootstrap/scripts/manual-install-script.ts).
 * The builder refuses these values at construction; this catches user data
 * that was edited by hand or produced elsewhere. The script is recognised by
 * its fixed `readonly VERSION=` / `BASE_URL=` / `PINNED=` lines, and only
 * values written as a plain single-quoted string are inspected.
 */
import { compareVersions, MIN_SOCI_VERSION, SHA256_PATTERN } from '../bootstrap/soci-facts';
import { Finding, finding, ObjectRef } from './finding';
import { userDataPath } from './guard-finding';
import { NodeClassFacts } from './node-class-facts';
import { SHELL_CONTENT_TYPE } from './user-data-reader';

export const MANUAL_INSTALL_RULE = 'soci-manual-install';

const VERSION_LINE = /^readonly VERSION='([^']*)'$/m;
const BASE_URL_LINE = /^readonly BASE_URL='([^']*)'$/m;
const PINNED_LINE = /^declare -rA PINNED=\(\[amd64\]='([^']*)' \[arm64\]='([^']*)'\)$/m;
const CURL_OPTS_LINE = /^readonly CURL_OPTS=\((.*)\)$/m;
/** curl options the script adds unless insecure mirrors are allowed. */
const HTTPS_ONLY = '--proto "=https"';

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
    const curlOpts = CURL_OPTS_LINE.exec(part.body)?.[1] ?? '';
    if (baseUrl !== undefined && !baseUrl.startsWith('https://') && curlOpts.includes(HTTPS_ONLY)) {
      findings.push(finding(ref, 'error', MANUAL_INSTALL_RULE, path('BASE_URL'), baseUrl, `the release URL is not HTTPS while downloads are restricted to HTTPS, so every download fails and SOCI is not installed. Use an https:// mirror, or allow insecure mirrors explicitly (allowInsecureMirror).`));
    }
    const pinned = PINNED_LINE.exec(part.body);
    for (const [arch, sha] of [['amd64', pinned?.[1]], ['arm64', pinned?.[2]]] as const) {
      if (sha && !SHA256_PATTERN.test(sha)) {
        findings.push(finding(ref, 'error', MANUAL_INSTALL_RULE, path(`PINNED/${arch}`), sha, `the pinned sha256 for ${arch} must be 64 hex digits; the checksum check would reject every download. Copy the value from the release's .sha256sum file.`));
      }
    }
  }
  return findings;
}
