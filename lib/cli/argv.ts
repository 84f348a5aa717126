import { describeValue, MAX_SHOWN_CHARS } from '../errors';

/**
 * A small, strict command-line parser: `--flag value`, `--flag=value` and
 * presence switches, every flag declared, nothing guessed.
 */

/** How a flag takes its value. */
export enum FlagKind {
  /** `--flag VALUE` or `--flag=VALUE`. */
  VALUE = 'value',
  /** `--flag` alone; `--flag=true|false` also accepted. */
  SWITCH = 'switch',
}

export interface FlagSpec {
  readonly name: string;
  readonly kind: FlagKind;
  /** Placeholder and description for the usage text. */
  readonly help: string;
}

/** A usage mistake, reported as `--flag: message`. */
export class UsageError extends Error {
  public override readonly name = 'UsageError';
  public constructor(public readonly flag: string, detail: string) {
    super(`${flag}: ${detail}`);
  }
}

/** Parsed flags: value flags as strings, switches as 'true' or 'false'. */
export type ParsedFlags = ReadonlyMap<string, string>;

export function parseFlags(argv: readonly string[], specs: readonly FlagSpec[]): ParsedFlags {
  const byName = new Map(specs.map((spec) => [spec.name, spec]));
  const parsed = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const match = /^--([a-z0-9-]+)(?:=(.*))?$/s.exec(arg);
    if (!match) throw new UsageError(shown(arg), 'unexpected argument; every option is a --flag (see --help)');
    const [, name, inline] = match;
    const spec = byName.get(name);
    if (!spec) throw new UsageError(shown(`--${name}`), `unknown flag; known flags: ${specs.map((s) => `--${s.name}`).join(', ')}`);
    if (parsed.has(name)) throw new UsageError(`--${name}`, 'given more than once');
    if (spec.kind === FlagKind.SWITCH) {
      if (inline !== undefined && inline !== 'true' && inline !== 'false') {
        throw new UsageError(`--${name}`, `${describeValue(inline)} is not allowed; give the flag alone, or =true / =false`);
      }
      parsed.set(name, inline ?? 'true');
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined || (inline === undefined && value.startsWith('--'))) {
      throw new UsageError(`--${name}`, `needs a value: --${name} ${spec.help.split(' ')[0]}`);
    }
    parsed.set(name, value);
  }
  return parsed;
}

/** What the user typed, as a message shows it: whole when short, cut like any value when long. */
function shown(text: string): string {
  return text.length > MAX_SHOWN_CHARS ? describeValue(text) : text;
}
