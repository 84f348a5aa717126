/**
 * The one error type this project throws for bad input.
 *
 * Every message carries where (construct path or builder), what (the field),
 * the offending value and what is allowed, so it can be acted on without
 * reading the source.
 */
export class ConfigError extends Error {
  public override readonly name = 'ConfigError';

  /**
   * @param where construct path (`my-cluster/SociSnapshotter`), builder (`SociBootstrap.manualInstall`) or file
   * @param field the prop or JSON path that is wrong (`weight`, `spec.role`)
   * @param value the value given
   * @param allowed what would be accepted, as a sentence fragment
   */
  public constructor(
    public readonly where: string,
    public readonly field: string,
    public readonly value: unknown,
    public readonly allowed: string,
  ) {
    super(`${where}: ${field} ${describeValue(value)} is invalid: ${allowed}`);
  }
}

/** Renders a value for an error message: strings quoted, objects as compact JSON. */
export function describeValue(value: unknown): string {
  if (value === undefined) return '(not set)';
  if (typeof value === 'string') return JSON.stringify(value);
  try {
    const json = JSON.stringify(value);
    return json.length > 120 ? `${json.slice(0, 117)}...` : json;
  } catch {
    return String(value);
  }
}
