/**
 * Renders the `text/x-shellscript` part that tunes SOCI on AL2023 AMIs whose
 * nodeadm has the `FastImagePull` gate.
 *
 * nodeadm-config (`nodeadm init --skip run`) rewrites SOCI's config.toml and
 * containerd's config.toml at every boot, while cloud-init runs a user-data
 * script once per instance. So the part installs the rewrite as a oneshot
 * systemd unit ordered after nodeadm-config and before nodeadm-run (which
 * starts containerd and, through it, SOCI), enables it for every later boot,
 * and runs it for the first boot.
 */
import { posix } from 'path';
import { SOCI_CONFIG_PATH } from '../soci-facts';
import { COMMON_FUNCTIONS, CONFIG_HEREDOC, CONTAINERD_CONFIG_PATH, UNIT_HEREDOC, decompressorPaths, heredoc, heredocBody, shQuote } from './shell';

const WHERE = 'renderNativeTuningScript';

/** The SOCI daemon the EKS AL2023 AMI ships (RPM `soci-snapshotter`). */
export const NATIVE_SOCI_BINARY = '/usr/bin/soci-snapshotter-grpc';
/** The oneshot unit that applies the tuning at every boot. */
export const NATIVE_TUNING_UNIT = 'soci-native-tuning.service';
/** Where the part installs the unit file. */
export const NATIVE_TUNING_UNIT_PATH = `/etc/systemd/system/${NATIVE_TUNING_UNIT}`;
/** The script the unit runs. */
export const NATIVE_TUNING_BIN = '/usr/local/sbin/soci-native-tuning';
/** The tuned config.toml the script copies over nodeadm's at every boot. */
export const NATIVE_TUNED_CONFIG_PATH = '/etc/soci-bootstrap/soci-config.toml';

/** The heredoc delimiter around the installed script. */
const SCRIPT_HEREDOC = 'SOCI_TUNING_SCRIPT';

/** Input of {@link renderNativeTuningScript}. */
export interface NativeTuningScriptInput {
  /** Full content of /etc/soci-snapshotter-grpc/config.toml, already rendered. */
  readonly configToml: string;
  /** false: containerd's CRI `discard_unpacked_layers` is set to false too, so the two stay consistent. */
  readonly discardUnpackedLayers: boolean;
}

/**
 * The unit. `After=nodeadm-config.service`: nodeadm has written the files this
 * replaces. `Before=` nodeadm-run (which starts containerd), containerd and
 * SOCI (socket-activated): nothing has read them yet. `WantedBy=multi-user.target`,
 * as nodeadm's own units (amazon-eks-ami templates/al2023/runtime), so every boot pulls it in.
 */
export const NATIVE_TUNING_UNIT_FILE = `[Unit]
Description=SOCI tuning over nodeadm's config
After=nodeadm-config.service
Before=nodeadm-run.service containerd.service soci-snapshotter.service

[Service]
Type=oneshot
ExecStart=${NATIVE_TUNING_BIN}

[Install]
WantedBy=multi-user.target
`;

/**
 * nodeadm sets containerd's discard_unpacked_layers = true (v3 file); keep it in
 * step with SOCI's setting. Any indentation; absent key means containerd's default (false).
 */
const KEEP_LAYERS = `
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
 * SOCI refuses to start when a decompressor is not an executable file, and
 * nodeadm's containerd drop-in `Requires=` SOCI, so a missing one would stop
 * containerd: keep nodeadm's config.toml instead.
 */
const CHECK_DECOMPRESSORS = `
decompressors_present() {
  local path
  for path in "\${DECOMPRESSORS[@]}"; do
    if [[ ! -f "$path" || ! -x "$path" ]]; then
      log "decompressor $path is not an executable file; SOCI would refuse to start, and containerd with it, so $SOCI_CONFIG keeps nodeadm's settings"
      return 1
    fi
  done
}
`;

/**
 * Renders the user-data part: it installs the tuned config, the tuning script
 * and its unit, enables the unit and runs the script once. Pure and
 * deterministic; throws ConfigError when configToml cannot be placed in the
 * script safely.
 *
 * Why the part runs the script itself on the first boot: `systemctl enable`
 * links the unit into multi-user.target and reloads systemd, but the boot
 * transaction is already under way, so the unit would first run at the next
 * boot. cloud-final runs after nodeadm-config has written the files and before
 * nodeadm-run reads them (nodeadm-run is `After=cloud-final.service`), which is
 * the unit's own slot, so running its command here has the same effect as the
 * unit. `systemctl start` would also work (nothing orders the unit after
 * cloud-final), but it queues a job from inside cloud-final's own boot job and
 * sends the log lines to the journal only; running the command directly keeps
 * them in cloud-init's output with the part's, and its exit status is the part's.
 */
export function renderNativeTuningScript(input: NativeTuningScriptInput): string {
  const config = heredocBody(WHERE, 'configToml', input.configToml, CONFIG_HEREDOC);
  const script = renderNativeTuningRunner(input);
  return `#!/bin/bash
# Installs ${NATIVE_TUNING_UNIT}: nodeadm-config rewrites SOCI's config at every boot.
set -euo pipefail
umask 022
mkdir -p ${[NATIVE_TUNED_CONFIG_PATH, NATIVE_TUNING_BIN, NATIVE_TUNING_UNIT_PATH].map((file) => posix.dirname(file)).join(' ')}
${heredoc(`cat >${NATIVE_TUNED_CONFIG_PATH}`, CONFIG_HEREDOC, config)}${heredoc(`cat >${NATIVE_TUNING_BIN}`, SCRIPT_HEREDOC, script)}chmod 0755 ${NATIVE_TUNING_BIN}
${heredoc(`cat >${NATIVE_TUNING_UNIT_PATH}`, UNIT_HEREDOC, NATIVE_TUNING_UNIT_FILE)}systemctl enable ${NATIVE_TUNING_UNIT}
# First boot: cloud-final is between nodeadm-config and nodeadm-run, the unit's slot.
exec ${NATIVE_TUNING_BIN}
`;
}

/**
 * Renders the script the unit runs at every boot (and the part runs once):
 * replaces nodeadm's config.toml with the tuned one unless SOCI is absent,
 * nodeadm did not turn it on, or a configured decompressor is missing. Each of
 * those is a supported outcome (the node joins on nodeadm's settings): exit 0.
 */
export function renderNativeTuningRunner(input: NativeTuningScriptInput): string {
  const decompressors = decompressorPaths(WHERE, input.configToml);
  const keep = !input.discardUnpackedLayers;
  const check = decompressors.length > 0;
  const script = `#!/bin/bash
# Run by ${NATIVE_TUNING_UNIT} after nodeadm-config: tuned SOCI config over nodeadm's.
set -euo pipefail

readonly SOCI_BIN=${shQuote(NATIVE_SOCI_BINARY)}
readonly SOCI_CONFIG=${shQuote(SOCI_CONFIG_PATH)}
readonly TUNED_CONFIG=${shQuote(NATIVE_TUNED_CONFIG_PATH)}
${keep ? `readonly CONTAINERD_CONFIG=${shQuote(CONTAINERD_CONFIG_PATH)}\n` : ''}${check ? `readonly DECOMPRESSORS=(${decompressors.map(shQuote).join(' ')})\n` : ''}
${COMMON_FUNCTIONS}${keep ? KEEP_LAYERS : ''}${check ? CHECK_DECOMPRESSORS : ''}
main() {
  if [[ ! -x "$SOCI_BIN" ]]; then
    log "SOCI is not on this AMI ($SOCI_BIN missing; EKS AL2023 AMI v20250821 or later has it); node stays on its default snapshotter"
    exit 0
  fi
  if [[ ! -f "$SOCI_CONFIG" ]]; then
    log "$SOCI_CONFIG not written by nodeadm (FastImagePull not set, or ignored below 4 vCPU / 7 GiB); node stays on its default snapshotter"
    exit 0
  fi
${check ? '  decompressors_present || exit 0\n' : ''}  [[ -f "$TUNED_CONFIG" ]] || die "$TUNED_CONFIG is missing; $SOCI_CONFIG keeps nodeadm's settings"
  write_file "$SOCI_CONFIG" <"$TUNED_CONFIG"
  log "wrote $SOCI_CONFIG"
${keep ? '  keep_unpacked_layers\n' : ''}}

main "$@"
`;
  return heredocBody(WHERE, 'configToml', script, SCRIPT_HEREDOC);
}
