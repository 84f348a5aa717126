import { Yaml } from 'cdk8s';
import { Document, stringify } from 'yaml';
import { cachedBounded } from '../validation/bounded-cache';

/**
 * `Yaml.stringify(doc)` of cdk8s (the `yaml` library, YAML 1.1, no line folding),
 * byte for byte, several times faster for the plain JSON data manifests are.
 *
 * The library builds a node tree and tests every string against every tag of the
 * schema; at a thousand node classes that was a fifth of a synth. This writer
 * emits the same block style directly. It covers what manifests hold (mappings,
 * sequences, integers, booleans, null, and strings written plain, quoted or as a
 * literal block); a single-line string it cannot prove plain is written by the
 * library itself, once per distinct string. Anything else (an object used twice,
 * which the library writes as an alias; a block scalar whose ending the library
 * keeps; undefined; numbers other than safe integers) makes the whole document go
 * through the library. test/output/manifest-yaml.test.ts compares both on every
 * committed manifest and on a corpus of awkward values.
 */
export function manifestYaml(doc: unknown): string {
  return fastYaml(doc, CDK8S) ?? CDK8S.library(doc);
}

/** `stringify(doc, { lineWidth: 0 })` of the `yaml` library (YAML 1.2), as the Helm chart's values files are written; same writer. */
export function unfoldedYaml(doc: unknown): string {
  return fastYaml(doc, UNFOLDED_1_2) ?? UNFOLDED_1_2.library(doc);
}

/** The fast writer alone, in the flavour of {@link manifestYaml}: the YAML of `doc`, or undefined when `doc` is outside what it covers. */
export function fastManifestYaml(doc: unknown): string | undefined {
  return fastYaml(doc, CDK8S);
}

/** The fast writer alone, in the flavour of {@link unfoldedYaml}. */
export function fastUnfoldedYaml(doc: unknown): string | undefined {
  return fastYaml(doc, UNFOLDED_1_2);
}

/** What differs between the library's uses: its schema's tags and how it is called; plus what it wrote per string (bounded, for long-running processes). */
interface Flavour {
  readonly tagTests: readonly RegExp[];
  readonly library: (doc: unknown) => string;
  readonly scalars: Map<string, string>;
  readonly keys: Map<string, string>;
}

/**
 * The tests the library runs on a plain string before writing it: a string one of the
 * schema's tags would read as null, a boolean, a number or a date is quoted.
 */
function tagTests(version: '1.1' | '1.2'): readonly RegExp[] {
  return new Document(null, { version }).schema.tags
    .filter((tag) => tag.default && tag.tag !== 'tag:yaml.org,2002:str' && tag.test)
    .map((tag) => tag.test!);
}

const CDK8S: Flavour = { tagTests: tagTests('1.1'), library: (doc) => Yaml.stringify(doc), scalars: new Map(), keys: new Map() };
const UNFOLDED_1_2: Flavour = { tagTests: tagTests('1.2'), library: (doc) => stringify(doc, { lineWidth: 0 }), scalars: new Map(), keys: new Map() };

function fastYaml(doc: unknown, flavour: Flavour): string | undefined {
  try {
    return new BlockWriter(flavour).document(doc);
  } catch (err) {
    if (err === OUTSIDE) return undefined;
    throw err;
  }
}

/** Thrown inside the writer when the document needs the library. */
const OUTSIDE = Symbol('outside the fast subset');

const INDENT = '  ';
/** Strings the library writes plain unless a tag of the schema claims them: no indicator, no `: ` or ` #`, a letter or `/` first. */
const PLAIN_SHAPE = /^[A-Za-z/][\w./@=+-]*(?::[\w./@=+-]+)*$/;
/** What makes the library quote or escape a string, or treat it as a document marker. */
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u{D800}-\u{DFFF}]/u;
const DOCUMENT_MARKER = /^(?:%|---|\.\.\.)/m;
/** Same as the library's: newlines before the last line of a block's trailing run. */
const BLOCK_END_NEWLINES = /(^|(?<!\n))\n+(?!\n|$)/g;

class BlockWriter {
  private readonly seen = new Set<object>();

  public constructor(private readonly flavour: Flavour) {}

  public document(doc: unknown): string {
    if (isCollection(doc)) {
      if (isEmpty(doc)) return `${Array.isArray(doc) ? '[]' : '{}'}\n`;
      return this.collection(doc, '');
    }
    if (typeof doc === 'string' && doc.includes('\n')) throw OUTSIDE; // a root block scalar has its own indentation rules
    return `${this.scalar(doc)}\n`;
  }

  /** A non-empty mapping or sequence whose lines start at `indent`; the first line's indent is included. */
  private collection(value: object, indent: string): string {
    if (this.seen.has(value)) throw OUTSIDE; // the library writes an anchor and an alias
    this.seen.add(value);
    return Array.isArray(value) ? this.sequence(value, indent) : this.mapping(value as Record<string, unknown>, indent);
  }

  private mapping(map: Record<string, unknown>, indent: string): string {
    if (Object.getPrototypeOf(map) !== Object.prototype && Object.getPrototypeOf(map) !== null) throw OUTSIDE;
    let out = '';
    for (const key of Object.keys(map)) {
      const value = map[key];
      const head = `${indent}${keyText(key, this.flavour)}:`;
      if (isCollection(value)) {
        out += isEmpty(value) ? `${head} ${Array.isArray(value) ? '[]' : '{}'}\n` : `${head}\n${this.collection(value, indent + INDENT)}`;
      } else if (typeof value === 'string' && value.includes('\n')) {
        out += `${head} ${blockLiteral(value, indent + INDENT)}\n`;
      } else {
        out += `${head} ${this.scalar(value)}\n`;
      }
    }
    return out;
  }

  private sequence(items: readonly unknown[], indent: string): string {
    let out = '';
    for (const item of items) {
      if (isCollection(item)) {
        // The item's first line follows the dash: `- key: value`, its other lines align with that key.
        out += isEmpty(item) ? `${indent}- ${Array.isArray(item) ? '[]' : '{}'}\n` : `${indent}- ${this.collection(item, indent + INDENT).slice(indent.length + INDENT.length)}`;
      } else if (typeof item === 'string' && item.includes('\n')) {
        throw OUTSIDE; // a block scalar in a sequence is indented differently
      } else {
        out += `${indent}- ${this.scalar(item)}\n`;
      }
    }
    return out;
  }

  private scalar(value: unknown): string {
    if (typeof value === 'string') return stringText(value, this.flavour);
    if (typeof value === 'boolean') return value ? 'true' : 'false';
    if (value === null) return 'null';
    if (typeof value === 'number' && Number.isSafeInteger(value) && !Object.is(value, -0)) return String(value);
    throw OUTSIDE;
  }
}

function isCollection(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}

function isEmpty(value: object): boolean {
  return Array.isArray(value) ? value.length === 0 : Object.keys(value).length === 0;
}

function isSurelyPlain(value: string, flavour: Flavour): boolean {
  return PLAIN_SHAPE.test(value) && !flavour.tagTests.some((test) => test.test(value));
}

/** How many distinct strings and keys each flavour keeps as the library wrote them. */
const MAX_REMEMBERED = 10_000;

/** A single-line string value. */
function stringText(value: string, flavour: Flavour): string {
  if (isSurelyPlain(value, flavour)) return value;
  if (DOCUMENT_MARKER.test(value)) throw OUTSIDE;
  return cachedBounded(flavour.scalars, value, MAX_REMEMBERED, () => libraryLine(flavour.library({ k: value }), 'k: '));
}

/** A mapping key, as the library writes an implicit key. */
function keyText(key: string, flavour: Flavour): string {
  if (isSurelyPlain(key, flavour)) return key;
  if (key === '' || key.length > 1000 || key.includes('\n') || DOCUMENT_MARKER.test(key)) throw OUTSIDE;
  return cachedBounded(flavour.keys, key, MAX_REMEMBERED, () => libraryLine(flavour.library({ [key]: 0 }), '', ': 0'));
}

/** The one line the library wrote, between a known prefix and suffix; anything else is outside. */
function libraryLine(yaml: string, prefix: string, suffix = ''): string {
  const line = yaml.endsWith('\n') ? yaml.slice(0, -1) : yaml;
  if (line.includes('\n') || !line.startsWith(prefix) || !line.endsWith(suffix)) throw OUTSIDE;
  return line.slice(prefix.length, line.length - suffix.length);
}

/**
 * A multi-line string as the library writes it as a mapping value: a literal block
 * (`|` with the chomping indicator its ending needs), its lines at `indent`.
 * Endings the library keeps (`|+`), leading or trailing blanks it must quote,
 * and control characters are outside.
 */
function blockLiteral(value: string, indent: string): string {
  if (CONTROL.test(value) || /\n[\t ]+$/.test(value) || /^\s*$/.test(value)) throw OUTSIDE;
  let endStart = value.length;
  while (endStart > 0 && '\n\t '.includes(value[endStart - 1])) endStart--;
  let end = value.substring(endStart);
  const endNewline = end.indexOf('\n');
  if (endNewline !== -1 && endNewline !== end.length - 1) throw OUTSIDE; // kept ending: `|+`
  const chomp = endNewline === -1 ? '-' : '';
  let body = value;
  if (end) {
    body = body.slice(0, -end.length);
    if (end.endsWith('\n')) end = end.slice(0, -1);
    end = end.replace(BLOCK_END_NEWLINES, `$&${indent}`);
  }
  if (body[0] === ' ' || body[0] === '\n') throw OUTSIDE; // an indentation indicator or leading blank lines
  return `|${chomp}\n${indent}${body.replace(/\n+/g, `$&${indent}`)}${end}`;
}
