/**
 * A reader for the plain block YAML that cluster files are written in: block mappings and
 * sequences, one-line plain or quoted scalars, comments. For such a text it returns exactly
 * what the `yaml` library's `parseDocument(text).toJS()` returns; for anything else (flow
 * mappings, nested or multi-line flow sequences, block scalars, anchors, tags, multi-line or
 * escaped scalars, numbers other than plain integers, duplicate keys, tabs, directives) it
 * returns `undefined`, and the caller parses the text with the library, which also locates
 * problems by line and column.
 *
 * Why: at 1,000 node classes the library's parse was an eighth of a synth (8,000 lines,
 * 280 ms on a cold start), most of it its lexer, which this reader does not need.
 */

/** A line that holds something: its indentation and what follows it, comments still in. */
interface ContentLine {
  readonly indent: number;
  readonly text: string;
}

/** Thrown inside the reader for any text outside its subset; never escapes it. */
class Declined extends Error {}

/** `key:` or `key: value` with a plain key a cluster file uses (not a keyword, not a number). */
const MAP_ENTRY = /^([A-Za-z_][\w./-]*):(?: (.*))?$/;
const KEYWORD_KEYS = new Set(['null', 'Null', 'NULL', 'true', 'True', 'TRUE', 'false', 'False', 'FALSE', '__proto__']);

/** The YAML 1.2 core schema's plain scalars that are not strings (`yaml`'s own tests). */
const NULL = /^(?:~|[Nn]ull|NULL)?$/;
const BOOL = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/;
const NUMBERS = [
  /^[-+]?[0-9]+$/,
  /^0o[0-7]+$/,
  /^0x[0-9a-fA-F]+$/,
  /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/,
  /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/,
  /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/,
];
/** The one number form read here: a non-negative integer JavaScript holds exactly, without a sign or leading zero. */
const PLAIN_INTEGER = /^(?:0|[1-9][0-9]{0,14})$/;
/** Characters a plain scalar cannot start with (YAML's indicators), or that this reader leaves to the library. */
const NOT_PLAIN_START = new Set([...'[]{}&*!|>\'"%@`,?:#']);

/** The value of `text` when it is plain block YAML with a mapping at its root, else `undefined`. */
export function readBlockYaml(text: string): Record<string, unknown> | undefined {
  try {
    const lines = contentLines(text);
    if (lines.length === 0 || lines[0].indent !== 0 || isSequenceItem(lines[0].text)) return undefined;
    const [root, next] = readMapping(lines, 0, 0, lines[0].text);
    return next === lines.length ? root : undefined;
  } catch (err) {
    if (err instanceof Declined) return undefined;
    throw err;
  }
}

function decline(): never {
  throw new Declined();
}

/** The lines that hold something, without blank and comment-only lines, and without trailing spaces. */
function contentLines(text: string): ContentLine[] {
  // Tabs, carriage returns, control characters, a byte-order mark, surrogates and Unicode line separators.
  if (/[\x00-\x08\t\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]/.test(text)) decline();
  const lines: ContentLine[] = [];
  for (const line of text.split('\n')) {
    const indent = skipSpaces(line, 0);
    const content = line.slice(indent);
    if (content === '' || content.startsWith('#')) continue;
    // Directives and document markers belong to the library.
    if (indent === 0 && (content.startsWith('%') || content.startsWith('---') || content.startsWith('...'))) decline();
    lines.push({ indent, text: withoutTrailingSpaces(content) });
  }
  return lines;
}

function isSequenceItem(text: string): boolean {
  return text === '-' || text.startsWith('- ');
}

/** A block node starting at `lines[at]`, whose indentation is `indent`. */
function readBlock(lines: readonly ContentLine[], at: number, indent: number): [unknown, number] {
  const line = lines[at];
  return isSequenceItem(line.text) ? readSequence(lines, at, indent) : readMapping(lines, at, indent, line.text);
}

/** A block mapping whose keys sit at column `column`; the first entry is `first` (it may follow a `- ` on its line). */
function readMapping(lines: readonly ContentLine[], at: number, column: number, first: string): [Record<string, unknown>, number] {
  const mapping: Record<string, unknown> = {};
  let text = first;
  for (;;) {
    const entry = MAP_ENTRY.exec(text) ?? decline();
    const key = entry[1];
    // The library refuses implicit keys longer than 1,024 characters.
    if (KEYWORD_KEYS.has(key) || key.length > 1000 || Object.prototype.hasOwnProperty.call(mapping, key)) decline();
    const rest = withoutLeadingSpaces(entry[2] ?? '');
    let value: unknown;
    if (rest === '' || rest.startsWith('#')) {
      [value, at] = nestedValue(lines, at + 1, column);
    } else {
      value = readScalar(rest);
      at += 1;
    }
    mapping[key] = value;
    const next = lines[at];
    if (next === undefined || next.indent < column) return [mapping, at];
    // Deeper: a scalar continued on the next line, or bad indentation. Level: a sequence here is an error.
    if (next.indent > column || isSequenceItem(next.text)) decline();
    text = next.text;
  }
}

/** What follows `key:` with nothing after it: a deeper block, a sequence at the key's own column, or null. */
function nestedValue(lines: readonly ContentLine[], at: number, column: number): [unknown, number] {
  const next = lines[at];
  if (next === undefined || next.indent < column) return [null, at];
  if (next.indent > column) return readBlock(lines, at, next.indent);
  return isSequenceItem(next.text) ? readSequence(lines, at, column) : [null, at];
}

/** A block sequence whose `- ` marks sit at column `indent`. */
function readSequence(lines: readonly ContentLine[], at: number, indent: number): [unknown[], number] {
  const items: unknown[] = [];
  for (;;) {
    const { text } = lines[at];
    const afterDash = text.slice(1);
    const item = withoutLeadingSpaces(afterDash);
    // An empty item, a nested `- - x`, or a comment right after the dash: left to the library.
    if (item === '' || item.startsWith('#') || isSequenceItem(item)) decline();
    if (MAP_ENTRY.test(item)) {
      const column = indent + 1 + (afterDash.length - item.length);
      let value: Record<string, unknown>;
      [value, at] = readMapping(lines, at, column, item);
      items.push(value);
    } else {
      items.push(readScalar(item));
      at += 1;
    }
    const next = lines[at];
    if (next === undefined || next.indent < indent) return [items, at];
    if (next.indent > indent) decline();
    if (!isSequenceItem(next.text)) return [items, at];
  }
}

/** A one-line scalar or flow sequence, with any trailing comment; `text` starts with its first character. */
function readScalar(text: string): unknown {
  if (text.startsWith('[')) return readFlowSequence(text);
  if (text.startsWith("'") || text.startsWith('"')) {
    const [value, end] = readQuoted(text, 0);
    return afterValue(text, end, value);
  }
  if (NOT_PLAIN_START.has(text[0]) || (text[0] === '-' && (text.length === 1 || text[1] === ' '))) decline();
  const comment = text.indexOf(' #');
  const plain = withoutTrailingSpaces(comment < 0 ? text : text.slice(0, comment));
  if (plain.includes(': ') || plain.endsWith(':')) decline();
  return resolvePlain(plain);
}

/** A plain scalar's value under the YAML 1.2 core schema: null, a boolean, a plain integer, or the string itself. */
function resolvePlain(plain: string): unknown {
  if (NULL.test(plain)) return null;
  if (BOOL.test(plain)) return plain[0] === 't' || plain[0] === 'T';
  if (NUMBERS.some((number) => number.test(plain))) return PLAIN_INTEGER.test(plain) ? Number(plain) : decline();
  return plain;
}

/** `[a, "b", 'c']` on one line, of scalars only (the `values:` of a requirement). */
function readFlowSequence(text: string): unknown[] {
  const items: unknown[] = [];
  let i = skipSpaces(text, 1);
  if (text[i] === ']') return afterValue(text, i + 1, items);
  for (;;) {
    let value: unknown;
    if (text[i] === "'" || text[i] === '"') {
      [value, i] = readQuoted(text, i);
    } else {
      const end = text.slice(i).search(/[,\]]/);
      if (end < 0) decline(); // continues on the next line
      const plain = withoutTrailingSpaces(text.slice(i, i + end));
      // Flow indicators, a mapping, a comment or an empty item: left to the library.
      if (plain === '' || /[[\]{}:#'"]/.test(plain) || NOT_PLAIN_START.has(plain[0]) || plain[0] === '-') decline();
      value = resolvePlain(plain);
      i += end;
    }
    items.push(value);
    i = skipSpaces(text, i);
    if (text[i] === ']') return afterValue(text, i + 1, items);
    if (text[i] !== ',') decline();
    i = skipSpaces(text, i + 1);
    if (text[i] === ']' || text[i] === ',') decline(); // a trailing or empty entry
  }
}

/** The index of the first character at or after `i` that is not a space. YAML's white space is the space alone (and tab, which is declined): not U+00A0 or U+3000, which `trim` would take. */
function skipSpaces(text: string, i: number): number {
  while (text[i] === ' ') i += 1;
  return i;
}

function withoutLeadingSpaces(text: string): string {
  return text.slice(skipSpaces(text, 0));
}

function withoutTrailingSpaces(text: string): string {
  let end = text.length;
  while (text[end - 1] === ' ') end -= 1;
  return text.slice(0, end);
}

/** A quoted scalar on one line starting at `text[start]`, and the index after its closing quote. */
function readQuoted(text: string, start: number): [string, number] {
  if (text[start] === '"') {
    // `"..."` without escapes.
    const quote = text.indexOf('"', start + 1);
    if (quote < 0 || text.slice(start + 1, quote).includes('\\')) decline();
    return [text.slice(start + 1, quote), quote + 1];
  }
  // `'...'`, `''` standing for a quote.
  let value = '';
  let i = start + 1;
  for (;;) {
    const quote = text.indexOf("'", i);
    if (quote < 0) decline(); // continues on the next line
    value += text.slice(i, quote);
    if (text[quote + 1] !== "'") return [value, quote + 1];
    value += "'";
    i = quote + 2;
  }
}

/** After a quoted scalar or a flow sequence only spaces, or spaces and a comment, may follow. */
function afterValue<T>(text: string, end: number, value: T): T {
  const rest = text.slice(end);
  if (rest !== '' && !/^ +(#.*)?$/.test(rest)) decline();
  return value;
}
