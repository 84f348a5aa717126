/**
 * The Bottlerocket settings Karpenter decodes into typed Go fields before it
 * adds its own and writes the user data back (BottlerocketConfig.UnmarshalTOML
 * and MarshalTOML, github.com/pelletier/go-toml/v2):
 *
 *   https://github.com/aws/karpenter-provider-aws/blob/v1.14.1/pkg/providers/amifamily/bootstrap/bottlerocketsettings.go
 *
 * Two consequences, both checked here:
 *   - a value of another TOML type than the Go field (`image-gc-high-threshold-percent = 85`
 *     for a `*string`) fails the decode: Karpenter reports "invalid UserData", creates no
 *     launch template and no node starts;
 *   - `settings.kubernetes` (and `settings.bootstrap-commands`) are written back from the
 *     typed struct, so a key the struct does not have is dropped without a word
 *     (MarshalTOML replaces `SettingsRaw["kubernetes"]`; aws/karpenter-provider-aws#9427
 *     describes the loss for memory-manager-reserved-memory, added after v1.14.0).
 *
 * Pure data and functions on parsed TOML, free of cdk8s: the validator uses them too.
 */
import { parse, TomlError } from 'smol-toml';

/** The Karpenter release these shapes were taken from. */
export const KARPENTER_SETTINGS_VERSION = 'v1.14.1';

/** The TOML shape a Go field accepts. */
export type GoTomlShape =
  | { readonly kind: 'string' }
  | { readonly kind: 'integer'; readonly min?: bigint; readonly max?: bigint }
  | { readonly kind: 'boolean' }
  | { readonly kind: 'array'; readonly items: GoTomlShape }
  /** A Go map: a table with any keys, every value of one shape. */
  | { readonly kind: 'map'; readonly values: GoTomlShape }
  /** A Go struct: a table with known keys only. */
  | { readonly kind: 'struct'; readonly fields: Readonly<Record<string, GoTomlShape>> }
  /** A field whose Go type was not read from the source; only its presence is known. */
  | { readonly kind: 'unchecked-table' };

const STRING: GoTomlShape = { kind: 'string' };
/** Go `int` is 64 bits on every platform Karpenter ships for, as wide as a TOML integer. */
const INT: GoTomlShape = { kind: 'integer' };
const UINT32: GoTomlShape = { kind: 'integer', min: 0n, max: 4294967295n };
const BOOL: GoTomlShape = { kind: 'boolean' };
const STRINGS: GoTomlShape = { kind: 'array', items: STRING };
const STRING_MAP: GoTomlShape = { kind: 'map', values: STRING };

/** `BottlerocketKubernetes`, key by key (TOML key → Go type in comments where it helps). */
export const KARPENTER_BOTTLEROCKET_KUBERNETES: Readonly<Record<string, GoTomlShape>> = {
  'api-server': STRING,
  'cloud-provider': STRING,
  'cluster-certificate': STRING,
  'cluster-name': STRING,
  'cluster-dns-ip': STRING,
  // map[string]BottlerocketCredentialProvider
  'credential-providers': {
    kind: 'map',
    values: { kind: 'struct', fields: { 'enabled': BOOL, 'cache-duration': STRING, 'image-patterns': STRINGS, 'environment': STRING_MAP } },
  },
  'node-labels': STRING_MAP,
  'node-taints': { kind: 'map', values: STRINGS },
  'max-pods': INT,
  // map[string]BottlerocketStaticPod
  'static-pods': { kind: 'map', values: { kind: 'struct', fields: { enabled: BOOL, manifest: STRING } } },
  'eviction-hard': STRING_MAP,
  'eviction-soft': STRING_MAP,
  'eviction-soft-grace-period': STRING_MAP,
  'eviction-max-pod-grace-period': INT,
  'kube-reserved': STRING_MAP,
  'system-reserved': STRING_MAP,
  'allowed-unsafe-sysctls': STRINGS,
  'server-tls-bootstrap': BOOL,
  'registry-qps': INT,
  'registry-burst': INT,
  'event-qps': INT,
  'event-burst': INT,
  'kube-api-qps': INT,
  'kube-api-burst': INT,
  'container-log-max-size': STRING,
  'container-log-max-files': INT,
  'cpu-manager-policy': STRING,
  'cpu-manager-policy-options': STRINGS,
  'cpu-manager-reconcile-period': STRING,
  'topology-manager-scope': STRING,
  'topology-manager-policy': STRING,
  // *string, although Bottlerocket itself takes a number: `85` is rejected, `"85"` works.
  'image-gc-high-threshold-percent': STRING,
  'image-gc-low-threshold-percent': STRING,
  'ids-per-pod': INT,
  'cpu-cfs-quota-enforced': BOOL,
  'shutdown-grace-period': STRING,
  'shutdown-grace-period-for-critical-pods': STRING,
  'cluster-domain': STRING,
  'seccomp-default': BOOL,
  'pod-pids-limit': INT,
  'device-ownership-from-security-context': BOOL,
  'single-process-oom-kill': BOOL,
  'container-log-max-workers': INT,
  'container-log-monitor-interval': STRING,
  'hostname-override-source': STRING,
  'log-level': UINT32,
  // Added by aws/karpenter-provider-aws#8907 (a *string, as Bottlerocket's "None"/"Static").
  'memory-manager-policy': STRING,
  // Added by aws/karpenter-provider-aws#9144; its Go type was not read, so the table passes unchecked.
  'topology-manager-policy-options': { kind: 'unchecked-table' },
};

/** `BottlerocketSettings`: the tables of `[settings]` Karpenter decodes; every other table passes through untouched. */
export const KARPENTER_BOTTLEROCKET_SETTINGS: Readonly<Record<string, GoTomlShape>> = {
  'kubernetes': { kind: 'struct', fields: KARPENTER_BOTTLEROCKET_KUBERNETES },
  // map[string]BootstrapCommand{Commands [][]string, Mode string, Essential bool}
  'bootstrap-commands': {
    kind: 'map',
    values: { kind: 'struct', fields: { commands: { kind: 'array', items: STRINGS }, mode: STRING, essential: BOOL } },
  },
};

/** A settings value Karpenter would reject or drop. */
export interface SettingsMismatch {
  /** Dotted TOML key path, such as `settings.kubernetes.image-gc-high-threshold-percent`. */
  readonly path: string;
  /** The value found (integers as numbers when they fit, otherwise as decimal strings). */
  readonly value: unknown;
  /** What would be accepted, as a sentence fragment. */
  readonly expected: string;
  /** `rejected`: Karpenter creates no launch template; `dropped`: the key silently never reaches the node. */
  readonly effect: 'rejected' | 'dropped';
}

/**
 * Parses Bottlerocket settings TOML keeping the TOML types apart: integers
 * become `bigint`, floats `number`, so `85` and `85.0` can be told apart as
 * Go's decoder does. Returns the TOML error message on a syntax error.
 */
export function parseSettingsExactly(text: string): { readonly document: Record<string, unknown> } | { readonly error: string } {
  try {
    return { document: parse(text, { integersAsBigInt: true }) as Record<string, unknown> };
  } catch (error) {
    return { error: error instanceof TomlError ? error.message.split('\n', 1)[0] : String(error) };
  }
}

/**
 * Every `settings.kubernetes` / `settings.bootstrap-commands` value of a document
 * (parsed with {@link parseSettingsExactly}) that does not fit Karpenter's struct.
 */
export function karpenterSettingsMismatches(document: Record<string, unknown>): SettingsMismatch[] {
  const settings = document.settings;
  if (!isTable(settings)) return [];
  const mismatches: SettingsMismatch[] = [];
  for (const [key, shape] of Object.entries(KARPENTER_BOTTLEROCKET_SETTINGS)) {
    if (settings[key] !== undefined) checkShape(`settings.${key}`, settings[key], shape, mismatches);
  }
  return mismatches;
}

function checkShape(path: string, value: unknown, shape: GoTomlShape, out: SettingsMismatch[]): void {
  const reject = (): void => {
    out.push({ path, value: plainValue(value), expected: describeShape(shape), effect: 'rejected' });
  };
  switch (shape.kind) {
    case 'string':
      if (typeof value !== 'string') reject();
      return;
    case 'boolean':
      if (typeof value !== 'boolean') reject();
      return;
    case 'integer':
      if (typeof value !== 'bigint' || (shape.min !== undefined && value < shape.min) || (shape.max !== undefined && value > shape.max)) reject();
      return;
    case 'array':
      if (!Array.isArray(value)) return reject();
      value.forEach((item, i) => checkShape(`${path}[${i}]`, item, shape.items, out));
      return;
    case 'unchecked-table':
      if (!isTable(value)) reject();
      return;
    case 'map':
      if (!isTable(value)) return reject();
      for (const [key, item] of Object.entries(value)) checkShape(`${path}.${tomlKey(key)}`, item, shape.values, out);
      return;
    case 'struct':
      if (!isTable(value)) return reject();
      for (const [key, item] of Object.entries(value)) {
        const field = shape.fields[key];
        if (field) {
          checkShape(`${path}.${tomlKey(key)}`, item, field, out);
        } else {
          out.push({ path: `${path}.${tomlKey(key)}`, value: plainValue(item), expected: `one of the keys Karpenter ${KARPENTER_SETTINGS_VERSION} knows here (${Object.keys(shape.fields).join(', ')})`, effect: 'dropped' });
        }
      }
      return;
  }
}

/** The expected TOML type in words, with an example where a type is easy to get wrong. */
export function describeShape(shape: GoTomlShape): string {
  switch (shape.kind) {
    case 'string': return 'a TOML string (quoted, such as "85")';
    case 'boolean': return 'true or false';
    case 'integer':
      return shape.min !== undefined && shape.max !== undefined ? `a TOML integer from ${shape.min} to ${shape.max}` : 'a TOML integer (no quotes, no decimal point)';
    case 'array': return `an array of ${plural(shape.items)}`;
    case 'map': return `a table whose values are each ${describeShape(shape.values)}`;
    case 'struct': return `a table with the keys ${Object.keys(shape.fields).join(', ')}`;
    case 'unchecked-table': return 'a table';
  }
}

function plural(shape: GoTomlShape): string {
  switch (shape.kind) {
    case 'string': return 'TOML strings';
    case 'integer': return 'TOML integers';
    case 'boolean': return 'booleans';
    case 'array': return `arrays of ${plural(shape.items)}`;
    default: return 'tables';
  }
}

/** A TOML table: an object that is not an array or a date. */
export function isTable(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/** Quotes a key that is not a bare TOML key, so the path reads back as TOML. */
function tomlKey(key: string): string {
  return /^[A-Za-z0-9_-]+$/.test(key) ? key : JSON.stringify(key);
}

/** A value for messages: bigints as numbers (or decimal strings when too large), dates as ISO text. */
export function plainValue(value: unknown): unknown {
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(plainValue);
  if (isTable(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plainValue(v)]));
  return value;
}
