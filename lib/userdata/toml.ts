import { parse, stringify, TomlError } from 'smol-toml';
import { ConfigError } from '../errors';

/** A TOML value as this project builds it: no dates, no big integers. */
export type TomlValue = string | number | boolean | TomlValue[] | TomlTable;

/** A TOML table; key order is insertion order, which {@link renderToml} keeps. */
export interface TomlTable {
  [key: string]: TomlValue;
}

/**
 * Renders a TOML document. Keys keep their insertion order, so the same input
 * always gives the same text; the result ends in exactly one newline.
 */
export function renderToml(document: TomlTable): string {
  return `${stringify(document).trimEnd()}\n`;
}

/**
 * Parses TOML written by a user, turning syntax errors into a {@link ConfigError}
 * that names where the text came from.
 */
export function parseUserToml(where: string, field: string, text: string): TomlTable {
  try {
    return parse(text) as unknown as TomlTable;
  } catch (error) {
    const reason = error instanceof TomlError ? error.message.split('\n', 1)[0] : String(error);
    throw new ConfigError(where, field, firstLine(text), `valid TOML is required (${reason})`);
  }
}

/** True for a TOML table (a plain object), false for scalars and arrays. */
export function isTomlTable(value: unknown): value is TomlTable {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A leaf both documents set to different values, by dotted path. */
export interface TomlConflict {
  readonly path: string;
  readonly existing: TomlValue;
  readonly incoming: TomlValue;
}

/**
 * Deep-merges `incoming` into a copy of `base`. Tables merge key by key; a key
 * both set to different values (or a table on one side and a value on the
 * other) is reported as a conflict rather than silently overwritten.
 * Identical values are not conflicts.
 */
export function mergeTomlTables(base: TomlTable, incoming: TomlTable): { merged: TomlTable; conflicts: TomlConflict[] } {
  const conflicts: TomlConflict[] = [];
  const merged = mergeInto(structuredClone(base), incoming, [], conflicts);
  return { merged, conflicts };
}

function mergeInto(target: TomlTable, incoming: TomlTable, path: string[], conflicts: TomlConflict[]): TomlTable {
  for (const [key, value] of Object.entries(incoming)) {
    const here = [...path, key];
    const existing = target[key];
    if (existing === undefined) {
      target[key] = structuredClone(value);
    } else if (isTomlTable(existing) && isTomlTable(value)) {
      mergeInto(existing, value, here, conflicts);
    } else if (!sameValue(existing, value)) {
      conflicts.push({ path: here.join('.'), existing, incoming: value });
    }
  }
  return target;
}

function sameValue(a: TomlValue, b: TomlValue): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function firstLine(text: string): string {
  return text.split('\n', 1)[0];
}
