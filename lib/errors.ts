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
   * @param value the value given; a {@link Redacted} for a value that must not be repeated (a key, a password)
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

/**
 * Stands in for a value that must not appear in a message or a log (a
 * private key, a URL with a password): messages show what it is, never what it holds.
 */
export class Redacted {
  /** @param description what the value is, without its secret part (`a PEM "PRIVATE KEY" block`) */
  public constructor(public readonly description: string) {}

  public toString(): string {
    return `(${this.description}; not shown)`;
  }
}

/**
 * The most characters of a value a message shows. User data parts, keys and
 * pasted files can be kilobytes long; a message names them, it does not repeat them.
 */
export const MAX_SHOWN_CHARS = 80;

/**
 * Renders a value for a message: strings quoted, objects as compact JSON,
 * {@link Redacted} values by their description; anything longer than
 * {@link MAX_SHOWN_CHARS} is cut, and its full length given.
 */
export function describeValue(value: unknown): string {
  if (value === undefined) return '(not set)';
  if (typeof value === 'string') {
    return value.length > MAX_SHOWN_CHARS ? `${JSON.stringify(value.slice(0, MAX_SHOWN_CHARS))}... (${value.length} characters)` : JSON.stringify(value);
  }
  const text = value instanceof Redacted ? value.toString() : compactJson(value);
  return text.length > MAX_SHOWN_CHARS ? `${text.slice(0, MAX_SHOWN_CHARS)}... (${text.length} characters)` : text;
}

function compactJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
