/**
 * Helpers shared by the bootstrap shell-script renderers: quoting, input
 * checks for values that end up inside a script, and the bash functions both
 * scripts define.
 */
import { ConfigError } from '../../errors';
import { isTomlTable, parseUserToml } from '../../userdata/toml';

/** The heredoc delimiter around config.toml; the manifest validator extracts the file from between these lines. */
export const CONFIG_HEREDOC = 'SOCI_CONFIG_TOML';
/** The heredoc delimiter around systemd unit files. */
export const UNIT_HEREDOC = 'SOCI_UNIT';
/** containerd's config, where nodeadm-config merged the NodeConfig's SOCI settings. */
export const CONTAINERD_CONFIG_PATH = '/etc/containerd/config.toml';

/** Quotes a value for bash: `'...'` with every `'` written as `'\''`. Safe for any string without NUL. */
export function shQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * Checks that `text` can be the body of a quoted heredoc closed by `delimiter`
 * and returns it with exactly one trailing newline. A body line equal to the
 * delimiter would end the heredoc early and run the rest as shell commands.
 */
export function heredocBody(where: string, field: string, text: string, delimiter: string): string {
  if (/[\0\r]/.test(text)) {
    throw new ConfigError(where, field, text, 'it must be LF-terminated text without NUL or CR characters');
  }
  if (text.split('\n').some((line) => line === delimiter)) {
    throw new ConfigError(where, field, text, `it must not contain a line that is exactly "${delimiter}"`);
  }
  if (text.trim() === '') {
    throw new ConfigError(where, field, text, 'it must not be empty');
  }
  return text.endsWith('\n') ? text : `${text}\n`;
}

/** Renders a heredoc that pipes `body` into `command`, e.g. `write_file '/etc/x' <<'SOCI_UNIT'`. */
export function heredoc(command: string, delimiter: string, body: string): string {
  return `${command} <<'${delimiter}'\n${body}${delimiter}\n`;
}

/**
 * `log` writes to stderr (cloud-init's output log) and to the journal via
 * logger when present; `die` logs and exits 1; `write_file` writes stdin to a
 * path atomically with mode 0644 so nothing ever reads half a file.
 */
export const COMMON_FUNCTIONS = `log() {
  echo "soci-bootstrap: $*" >&2
  if command -v logger >/dev/null; then logger -t soci-bootstrap -- "$*" 2>/dev/null || true; fi
}
die() { log "ERROR: $*"; exit 1; }
# Temp file + rename in the same directory: nothing reads half a file.
write_file() {
  local tmp
  mkdir -p "\${1%/*}"
  tmp="$(mktemp "$1.XXXXXX")"
  cat >"$tmp"
  chmod 0644 "$tmp"
  mv -f "$tmp" "$1"
}
`;

/**
 * Every `pull_modes.parallel_pull_unpack.decompress_streams.<alg>.path` of a
 * SOCI config.toml, in its order. SOCI refuses to start when one is not an
 * executable file, so the scripts check them on the node.
 */
export function decompressorPaths(where: string, configToml: string): string[] {
  const config = parseUserToml(where, 'configToml', configToml);
  const parallel = tableAt(tableAt(config.pull_modes)?.parallel_pull_unpack);
  const streams = tableAt(parallel?.decompress_streams) ?? {};
  return Object.entries(streams).map(([algorithm, stream]) => {
    const path = tableAt(stream)?.path;
    if (typeof path !== 'string' || !path.startsWith('/') || /[\0\n\r]/.test(path)) {
      throw new ConfigError(where, `configToml decompress_streams.${algorithm}.path`, path,
        'an absolute path to the decompressor (SOCI runs it directly)');
    }
    return path;
  });
}

function tableAt(value: unknown): Record<string, unknown> | undefined {
  return isTomlTable(value) ? value : undefined;
}
