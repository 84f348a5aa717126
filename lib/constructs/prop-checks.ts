import { Construct } from 'constructs';
import { ConfigError } from '../errors';

/**
 * Small guards shared by the constructs. Each throws a {@link ConfigError}
 * naming the construct path, the prop, the value and what is allowed.
 */

const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Karpenter's duration grammar for `expireAfter`, `consolidateAfter` and friends (CRD patterns). */
const DURATION = /^([0-9]+(s|m|h))+$/;

export function checkDnsLabel(scope: Construct, field: string, value: string): string {
  if (value.length > 63 || !DNS_1123_LABEL.test(value)) {
    throw new ConfigError(scope.node.path, field, value,
      'a DNS-1123 label: at most 63 lower-case letters, digits or "-", starting and ending with a letter or digit');
  }
  return value;
}

/** A Karpenter duration such as `720h` or `1h30m`; `Never` when `allowNever`. */
export function checkDuration(scope: Construct, field: string, value: string | undefined, allowNever: boolean): string | undefined {
  if (value === undefined) return undefined;
  if ((allowNever && value === 'Never') || DURATION.test(value)) return value;
  throw new ConfigError(scope.node.path, field, value,
    `a duration of whole hours, minutes and seconds such as "720h", "1h30m" or "30s"${allowNever ? ', or "Never"' : ''} (no days, no decimals)`);
}

export function checkIntegerInRange(scope: Construct, field: string, value: number | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(scope.node.path, field, value, `an integer from ${min} to ${max}`);
  }
  return value;
}

export function checkNonEmptyList<T>(scope: Construct, field: string, value: readonly T[] | undefined, hint: string): readonly T[] {
  if (!value || value.length === 0) {
    throw new ConfigError(scope.node.path, field, value, `at least one term is required; ${hint}`);
  }
  return value;
}

/** The default object name: the construct id in kebab-case (`SociSnapshotter` → `soci-snapshotter`). */
export function kebabCase(id: string): string {
  return id
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .toLowerCase();
}
