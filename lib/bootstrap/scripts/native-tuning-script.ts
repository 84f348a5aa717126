/**
 * Renders the `text/x-shellscript` part that tunes SOCI on AL2023 AMIs whose
 * nodeadm has the `FastImagePull` gate. nodeadm-config has already written
 * SOCI's config.toml and containerd's config.toml; this script replaces the
 * former (no NodeConfig field reaches it) before nodeadm-run starts containerd.
 */
import { SOCI_CONFIG_PATH } from '../soci-facts';
import { COMMON_FUNCTIONS, CONFIG_HEREDOC, heredoc, heredocBody, shQuote } from './shell';

const WHERE = 'renderNativeTuningScript';

/** The SOCI daemon the EKS AL2023 AMI ships (RPM `soci-snapshotter`). */
export const NATIVE_SOCI_BINARY = '/usr/bin/soci-snapshotter-grpc';
/** containerd's config, written by nodeadm-config. */
export const CONTAINERD_CONFIG_PATH = '/etc/containerd/config.toml';

/** Input of {@link renderNativeTuningScript}. */
export interface NativeTuningScriptInput {
  /** Full content of /etc/soci-snapshotter-grpc/config.toml, already rendered. */
  readonly configToml: string;
  /** false: containerd's CRI `discard_unpacked_layers` is set to false too, so the two stay consistent. */
  readonly discardUnpackedLayers: boolean;
}

const KEEP_LAYERS = `
# nodeadm sets containerd's discard_unpacked_layers = true (v3 file); keep it in
# step with SOCI's setting. Any indentation; absent key means containerd's default (false).
keep_unpacked_layers() {
  local key='^[[:space:]]*discard_unpacked_layers[[:space:]]*='
  [[ -f "$CONTAINERD_CONFIG" ]] || die "$CONTAINERD_CONFIG is missing; cannot set discard_unpacked_layers = false"
  if ! grep -Eq "$key" "$CONTAINERD_CONFIG"; then
    log "discard_unpacked_layers not set in $CONTAINERD_CONFIG; containerd keeps unpacked layers by default"
    return 0
  fi
  sed -E "s/(\${key}[[:space:]]*).*/\\1false/" "$CONTAINERD_CONFIG" | write_file "$CONTAINERD_CONFIG"
  if grep -E "$key" "$CONTAINERD_CONFIG" | grep -Evq "=[[:space:]]*false[[:space:]]*$"; then
    die "could not set discard_unpacked_layers = false in $CONTAINERD_CONFIG"
  fi
  log "set discard_unpacked_layers = false in $CONTAINERD_CONFIG"
}
`;

/**
 * Renders the native tuning script. Pure and deterministic; throws
 * ConfigError when configToml cannot be placed in the script safely.
 */
export function renderNativeTuningScript(input: NativeTuningScriptInput): string {
  const config = heredocBody(WHERE, 'configToml', input.configToml, CONFIG_HEREDOC);
  const keep = !input.discardUnpackedLayers;
  return `#!/bin/bash
# Replaces the SOCI config.toml nodeadm-config wrote (FastImagePull) with tuned
# settings. Runs in cloud-final, before nodeadm-run starts containerd.
set -euo pipefail

readonly SOCI_BIN=${shQuote(NATIVE_SOCI_BINARY)}
readonly SOCI_CONFIG=${shQuote(SOCI_CONFIG_PATH)}
${keep ? `readonly CONTAINERD_CONFIG=${shQuote(CONTAINERD_CONFIG_PATH)}\n` : ''}
${COMMON_FUNCTIONS}${keep ? KEEP_LAYERS : ''}
main() {
  # Missing SOCI or config is a supported outcome, not a boot failure: exit 0.
  if [[ ! -x "$SOCI_BIN" ]]; then
    log "SOCI is not on this AMI ($SOCI_BIN missing; EKS AL2023 AMI v20250821 or later has it); node stays on its default snapshotter"
    exit 0
  fi
  if [[ ! -f "$SOCI_CONFIG" ]]; then
    log "$SOCI_CONFIG not written by nodeadm (FastImagePull not set, or ignored below 4 vCPU / 7 GiB); node stays on its default snapshotter"
    exit 0
  fi
  ${heredoc('write_file "$SOCI_CONFIG"', CONFIG_HEREDOC, config)}  log "wrote $SOCI_CONFIG"
${keep ? '  keep_unpacked_layers\n' : ''}}

main "$@"
`;
}
