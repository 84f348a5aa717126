/**
 * Renders the `text/x-shellscript` part that installs the SOCI snapshotter by
 * hand on AL2023 AMIs whose nodeadm lacks the `FastImagePull` gate (or custom
 * AMIs). It runs in cloud-init's cloud-final: after nodeadm-config wrote the
 * containerd and kubelet config (already pointing at SOCI), before nodeadm-run
 * starts containerd. When it cannot install SOCI, it takes SOCI back out of
 * that config, so the node still joins (see renderRollback).
 */
import { ConfigError } from '../../errors';
import { refuseCredentials } from '../manual-install-options';
import { SHA256_PATTERN, SOCI_CONFIG_PATH, SOCI_SOCKET } from '../soci-facts';
import { COMMON_FUNCTIONS, CONFIG_HEREDOC, CONTAINERD_CONFIG_PATH, UNIT_HEREDOC, decompressorPaths, heredoc, heredocBody, shQuote } from './shell';

const WHERE = 'renderManualInstallScript';

/** How the script downloads the release archive and its checksum. */
export interface DownloadPolicy {
  /** Extra attempts after the first failed one (0 = try once). Integer 0–20. */
  readonly retries: number;
  /** Seconds to wait between attempts. Integer 0–300. */
  readonly retryDelaySeconds: number;
  /** curl `--connect-timeout` in seconds. Integer 1–300. */
  readonly connectTimeoutSeconds: number;
  /** curl `--max-time` per attempt in seconds. Integer 1–3600. */
  readonly maxTimeSeconds: number;
}

/** Input of {@link renderManualInstallScript}. */
export interface ManualInstallScriptInput {
  /** SOCI release without leading `v`, e.g. `0.15.0`. */
  readonly sociVersion: string;
  /** SOCI_RELEASE_BASE_URL or a mirror base (S3, Artifactory...); `/v<ver>/<archive>` is appended. */
  readonly releaseBaseUrl: string;
  /** sha256 of each architecture's archive, checked on top of the published `.sha256sum`. */
  readonly pinnedSha256: { readonly amd64?: string; readonly arm64?: string };
  /** The daemon's `--root`; must equal containerd's `proxy_plugins.soci.exports.root`. */
  readonly sociRoot: string;
  /** Full content of /etc/soci-snapshotter-grpc/config.toml, already rendered. */
  readonly configToml: string;
  readonly download: DownloadPolicy;
  /** false: curl `--proto =https --proto-redir =https`; true: http:// mirrors (and redirects) allowed. */
  readonly allowInsecureMirror: boolean;
}

const VERSION = /^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.]+)?$/;
const BASE_URL = /^https?:\/\/[A-Za-z0-9._~:@%+,;=!&*()\/\[\]-]+$/;
const ABS_PATH = /^\/[A-Za-z0-9._\/-]*[A-Za-z0-9._-]$/;

function checkInteger(field: string, value: number, min: number, max: number): number {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new ConfigError(WHERE, field, value, `it must be an integer from ${min} to ${max}`);
  }
  return value;
}

function checkInput(input: ManualInstallScriptInput): void {
  // The script logs the URLs it fetches: none may carry credentials.
  refuseCredentials(WHERE, 'releaseBaseUrl', input.releaseBaseUrl);
  if (!VERSION.test(input.sociVersion)) {
    throw new ConfigError(WHERE, 'sociVersion', input.sociVersion, 'it must be a release version without a leading "v", e.g. "0.15.0"');
  }
  if (!BASE_URL.test(input.releaseBaseUrl) || input.releaseBaseUrl.endsWith('/')) {
    throw new ConfigError(WHERE, 'releaseBaseUrl', input.releaseBaseUrl,
      'it must be an http(s) URL without whitespace, quotes, "$", backticks, query ("?"), fragment ("#") or trailing "/", e.g. "https://github.com/awslabs/soci-snapshotter/releases/download"');
  }
  if (!input.allowInsecureMirror && !input.releaseBaseUrl.startsWith('https://')) {
    throw new ConfigError(WHERE, 'releaseBaseUrl', input.releaseBaseUrl, 'it must start with "https://" unless allowInsecureMirror is true');
  }
  for (const arch of ['amd64', 'arm64'] as const) {
    const sha = input.pinnedSha256[arch];
    if (sha !== undefined && !SHA256_PATTERN.test(sha)) {
      throw new ConfigError(WHERE, `pinnedSha256.${arch}`, sha, 'it must be 64 hex digits');
    }
  }
  if (!ABS_PATH.test(input.sociRoot) || input.sociRoot.split('/').some((s) => s === '..' || s === '.')) {
    throw new ConfigError(WHERE, 'sociRoot', input.sociRoot,
      'it must be an absolute path of letters, digits, ".", "_", "-" and "/" without a trailing "/", e.g. "/var/lib/soci-snapshotter-grpc"');
  }
  checkInteger('download.retries', input.download.retries, 0, 20);
  checkInteger('download.retryDelaySeconds', input.download.retryDelaySeconds, 0, 300);
  checkInteger('download.connectTimeoutSeconds', input.download.connectTimeoutSeconds, 1, 300);
  checkInteger('download.maxTimeSeconds', input.download.maxTimeSeconds, 1, 3600);
}

const UNIT_DIR = '/etc/systemd/system';

/** The soci-snapshotter.service unit (upstream's, plus `--root` and `--config`). */
export function renderSociServiceUnit(sociRoot: string): string {
  return `[Unit]
Description=SOCI snapshotter
After=network.target
Before=containerd.service

[Service]
Type=notify
ExecStart=/usr/local/bin/soci-snapshotter-grpc --address fd:// --root ${sociRoot} --config ${SOCI_CONFIG_PATH}
Restart=always
RestartSec=5

[Install]
WantedBy=multi-user.target
`;
}

/** The soci-snapshotter.socket unit (upstream's). */
export const SOCI_SOCKET_UNIT = `[Unit]
Description=SOCI snapshotter socket

[Socket]
ListenStream=${SOCI_SOCKET}
SocketMode=0660

[Install]
WantedBy=sockets.target
`;

/**
 * containerd drop-in: needs the daemon (as nodeadm's drop-in), and imports the
 * AMI's pause image into the soci snapshotter once containerd is up, because
 * containerd >= 2.2.3 otherwise unpacks it through SOCI before kubelet has
 * registry credentials (amazon-eks-ami#2710). The import is nodeadm's own
 * command (`importSandboxImageForSOCI`, nodeadm/internal/containerd/sandbox_image.go
 * @ v20260724). `-`: a failed import is tolerated.
 */
export const CONTAINERD_DROP_IN = `[Unit]
Requires=soci-snapshotter.service
After=soci-snapshotter.service

[Service]
ExecStartPost=-/bin/sh -c 'test -f /etc/eks/pause.tar && ctr --namespace k8s.io images import --snapshotter soci --discard-unpacked-layers=false --local /etc/eks/pause.tar'
`;

/** Unit paths the script writes, with their content (for tests and validators). */
export function manualInstallUnitFiles(sociRoot: string): Record<string, string> {
  return {
    [`${UNIT_DIR}/soci-snapshotter.service`]: renderSociServiceUnit(sociRoot),
    [`${UNIT_DIR}/soci-snapshotter.socket`]: SOCI_SOCKET_UNIT,
    [`${UNIT_DIR}/containerd.service.d/10-soci-snapshotter.conf`]: CONTAINERD_DROP_IN,
  };
}

/**
 * Where nodeadm-config wrote the NodeConfig's kubelet settings: the drop-in for
 * kubelet 1.29 and later, config.json itself before (nodeadm/internal/kubelet/config.go).
 */
export const KUBELET_CONFIG_FILES: readonly string[] = [
  '/etc/kubernetes/kubelet/config.json',
  '/etc/kubernetes/kubelet/config.json.d/40-nodeadm.conf',
];

/**
 * Rolls back, after any failure, what nodeadm-config wrote for SOCI before the
 * script ran, and what the script had installed, so that nodeadm-run starts
 * containerd and kubelet on containerd's default snapshotter:
 * - containerd: drops the `[proxy_plugins.soci]` table with its sub-tables and
 *   every `snapshotter = "soci"` key (the CRI one in either schema), at any
 *   indentation and in either quote style (nodeadm writes go-toml's output, or
 *   on containerd 2.x with a schema-2 fragment `containerd config migrate`'s);
 * - kubelet: drops `imageServiceEndpoint` when it names SOCI, rewriting valid JSON;
 * - the binaries, config.toml and units, then reloads systemd so containerd no
 *   longer `Requires=` the daemon.
 * The exit status stays non-zero so cloud-init reports the failure;
 * nodeadm-run is only ordered `After=` cloud-final, so it runs anyway.
 */
function renderRollback(): string {
  const units = Object.keys(manualInstallUnitFiles('/')).map((f) => f.slice(UNIT_DIR.length + 1));
  return `# Output of "\${@:2}" over file $1 replaces the file, if every step succeeds
# (errexit is off here, so write_file would not stop at a failed write).
unsoci() {
  local out
  if out="$("\${@:2}" <"$1")" && echo "$out" >"$1.new" && chmod 0644 "$1.new" && mv -f "$1.new" "$1"; then
    log "removed SOCI from $1"
  else
    rm -f "$1.new"
    log "ERROR: could not remove SOCI from $1"
  fi
}

rollback() {
  local f=${CONTAINERD_CONFIG_PATH}
  ! grep -qs soci $f || unsoci $f awk '/^[ \\t]*\\[/ { s = /^[ \\t]*\\[proxy_plugins\\.["\\047]?soci["\\047]?[].]/ }
    !s && !/^[ \\t]*snapshotter *= *["\\047]soci["\\047]/'
  for f in ${KUBELET_CONFIG_FILES.join(' ')}; do
    ! grep -qs soci "$f" || unsoci "$f" python3 -c 'import json, sys
c = json.load(sys.stdin)
if "soci" in str(c.get("imageServiceEndpoint")): del c["imageServiceEndpoint"]
print(json.dumps(c, indent=4))'
  done
  [[ ! -e $U/soci-snapshotter.socket ]] || systemctl disable soci-snapshotter.socket
  [[ -z $(rm -fv /usr/local/bin/soci{,-snapshotter-grpc} ${SOCI_CONFIG_PATH} $U/{${units.join(',')}}) ]] || systemctl daemon-reload
}

finish() {
  local rc=$?
  set +eE
  trap - ERR
  rm -rf "\${WORK:-}"
  ((rc)) || return 0
  log "ERROR: SOCI $VERSION not installed (exit $rc); the node joins without it"
  rollback
  exit $rc
}
trap finish EXIT
trap 'exit 1' HUP INT TERM
trap 'log "ERROR: line $LINENO: $BASH_COMMAND"' ERR
`;
}

/**
 * Renders the manual install script. Pure and deterministic; throws
 * {@link ConfigError} for any value that is not safe to place in the script.
 */
export function renderManualInstallScript(input: ManualInstallScriptInput): string {
  checkInput(input);
  const config = heredocBody(WHERE, 'configToml', input.configToml, CONFIG_HEREDOC);
  const decompressors = decompressorPaths(WHERE, config);
  const d = input.download;
  const proto = input.allowInsecureMirror ? '' : ' --proto "=https" --proto-redir "=https"';
  const units = Object.entries(manualInstallUnitFiles(input.sociRoot))
    .map(([path, body]) => `  ${heredoc(`write_file "$U${path.slice(UNIT_DIR.length)}"`, UNIT_HEREDOC, body)}`)
    .join('');
  // SOCI refuses to start when a decompressor is not an executable file, and containerd Requires= SOCI.
  const checkDecompressors = decompressors.length === 0 ? '' : `  local d=(${decompressors.map(shQuote).join(' ')})
  for x in "\${d[@]}"; do
    [[ -f $x && -x $x ]] || die "decompressor $x (decompress_streams) is not an executable file"
  done
`;

  return `#!/bin/bash
# Installs SOCI snapshotter ${input.sociVersion}, checksum-verified, before containerd starts;
# on failure, removes nodeadm's SOCI settings so the node joins without SOCI.
set -Eeuo pipefail

readonly VERSION=${shQuote(input.sociVersion)}
readonly BASE_URL=${shQuote(input.releaseBaseUrl)}
declare -rA PINNED=([amd64]=${shQuote(input.pinnedSha256.amd64 ?? '')} [arm64]=${shQuote(input.pinnedSha256.arm64 ?? '')})
readonly ATTEMPTS=${d.retries + 1} RETRY_DELAY=${d.retryDelaySeconds}
readonly CURL_OPTS=(--fail -sS --location --connect-timeout ${d.connectTimeoutSeconds} --max-time ${d.maxTimeSeconds}${proto})
readonly U=${UNIT_DIR}

${COMMON_FUNCTIONS}${renderRollback()}
# Bounded retries: a dead mirror must not hold up the boot forever.
fetch() {
  local url="$1" out="$2" attempt
  for ((attempt = 1; attempt <= ATTEMPTS; attempt++)); do
    curl "\${CURL_OPTS[@]}" --output "$out" "$url" && return 0
    log "attempt $attempt/$ATTEMPTS failed: $url"
    if ((attempt < ATTEMPTS)); then sleep "$RETRY_DELAY"; fi
  done
  die "download failed after $ATTEMPTS attempts: $url"
}

verify() {
  local dir="$1" archive="$2" pinned="\${3,,}" published='' actual
  read -r published _ <"$dir/$archive.sha256sum" || true
  [[ "$published" =~ ^[0-9a-fA-F]{64}$ ]] || die "$archive.sha256sum has no sha256 in its first field"
  published="\${published,,}"
  actual="$(sha256sum <"$dir/$archive")"
  actual="\${actual%% *}"
  [[ "$actual" == "$published" ]] ||
    die "checksum mismatch for $archive: expected $published (published), actual $actual"
  [[ -z "$pinned" || "$pinned" == "$actual" ]] ||
    die "checksum mismatch for $archive: expected $pinned (pinned), actual $actual"
  log "verified $archive (sha256 $actual)"
}

main() {
  local arch archive x
  case "$(uname -m)" in
    x86_64) arch=amd64 ;;
    aarch64) arch=arm64 ;;
    *) die "unsupported architecture '$(uname -m)' (uname -m); supported: x86_64 (amd64), aarch64 (arm64)" ;;
  esac
${checkDecompressors}  archive="soci-snapshotter-$VERSION-linux-$arch.tar.gz"
  WORK="$(mktemp -d)"
  fetch "$BASE_URL/v$VERSION/$archive" "$WORK/$archive"
  fetch "$BASE_URL/v$VERSION/$archive.sha256sum" "$WORK/$archive.sha256sum"
  verify "$WORK" "$archive" "\${PINNED[$arch]}"
  tar -xzf "$WORK/$archive" -C "$WORK" soci-snapshotter-grpc soci
  for x in soci-snapshotter-grpc soci; do
    # install would copy what a symlink member points at.
    [[ -f $WORK/$x && ! -L $WORK/$x ]] || die "archive member $x is not a regular file"
  done
  install -m 0755 "$WORK/soci-snapshotter-grpc" "$WORK/soci" /usr/local/bin/
  ${heredoc(`write_file ${shQuote(SOCI_CONFIG_PATH)}`, CONFIG_HEREDOC, config)}${units}  systemctl daemon-reload
  # No --now: nodeadm-run may yet move /var/lib/containerd (RAID0); containerd starts SOCI.
  systemctl enable soci-snapshotter.socket
  log "installed SOCI $VERSION ($arch)"
}

main "$@"
`;
}
