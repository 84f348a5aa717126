/**
 * Reads an EC2NodeClass `spec.userData` the way Karpenter v1.14.1 and the node
 * will (Karpenter v1.14.1 bootstrap/nodeadm.go, mime/mime.go and bootstrap/bottlerocket.go), so the checks see the same parts.
 *
 * AL2023/AL2 user data comes in three forms:
 *   - MIME multipart (the trimmed text starts with `MIME-Version:` or `Content-Type:`);
 *   - a bare YAML/JSON mapping, which Karpenter wraps as one NodeConfig part;
 *   - anything else, which Karpenter wraps as one shell part.
 * Bottlerocket user data is a TOML settings document.
 *
 * The reader never throws: malformed input becomes a `problem`, because
 * Karpenter would refuse to create a launch template for it and no node would start.
 */
import { gunzipSync } from 'node:zlib';
import { parse as parseToml } from 'smol-toml';
import { parseAllDocuments } from 'yaml';
import { KARPENTER_SETTINGS_VERSION, karpenterSettingsMismatches, parseSettingsExactly } from '../bootstrap/karpenter-bottlerocket-settings';
import { KARPENTER_BOUNDARY_LINE_PREFIX, karpenterBoundaryLine } from '../userdata/karpenter-boundary';
import { isObject, Json } from './manifest-kinds';

export const NODE_CONFIG_CONTENT_TYPE = 'application/node.eks.aws';
export const SHELL_CONTENT_TYPE = 'text/x-shellscript';

export type UserDataFormat = 'mime' | 'node-config' | 'shell' | 'bottlerocket-toml' | 'empty';

export interface UserDataPartView {
  /** Position among the parts, from 0. */
  readonly index: number;
  /** Media type without parameters, lower case (`text/x-shellscript`). */
  readonly mediaType: string;
  /** The full header value, as written. */
  readonly contentType: string;
  readonly headers: ReadonlyMap<string, string>;
  readonly body: string;
}

export interface NodeConfigDocument {
  /** Index of the part the document came from. */
  readonly partIndex: number;
  readonly document: Json;
}

export interface ReadUserData {
  readonly format: UserDataFormat;
  readonly parts: readonly UserDataPartView[];
  /** NodeConfig documents decoded from NodeConfig parts, in order. */
  readonly nodeConfigs: readonly NodeConfigDocument[];
  /** Bottlerocket settings, when the user data is TOML. */
  readonly bottlerocketSettings?: Json;
  /** Why Karpenter, cloud-init or nodeadm would reject or ignore part of the input. */
  readonly problems: readonly string[];
}

/** Reads AL2023/AL2 user data (MIME, bare NodeConfig, or shell). */
export function readNodeadmUserData(userData: string): ReadUserData {
  const read = readNodeadmParts(userData);
  const injected = boundaryInjections(read.parts);
  return injected.length === 0 ? read : { ...read, problems: [...read.problems, ...injected] };
}

function readNodeadmParts(userData: string): ReadUserData {
  // Karpenter removes every carriage return before anything else.
  const text = userData.replace(/\r/g, '');
  if (text.trim() === '') return { format: 'empty', parts: [], nodeConfigs: [], problems: [] };
  const trimmed = text.trimStart();
  if (/^(MIME-Version|Content-Type):/i.test(trimmed)) return readMime(trimmed);
  if (isYamlMapping(text)) {
    const part = makePart(0, NODE_CONFIG_CONTENT_TYPE, new Map(), text);
    return withNodeConfigs('node-config', [part], []);
  }
  const part = makePart(0, `${SHELL_CONTENT_TYPE}; charset="us-ascii"`, new Map(), text);
  const problems = text.startsWith('#!') ? [] : ['a shell script must start with "#!" or cloud-init will not run it'];
  return { format: 'shell', parts: [part], nodeConfigs: [], problems };
}

/**
 * Karpenter re-serialises every part under the boundary `//`, whatever boundary
 * (or none) the user data had, so a part line starting `--//` becomes a
 * delimiter there: the part is split, or the document ends and Karpenter's own
 * NodeConfig is lost. The split above used the document's own boundary, so the
 * bodies are searched here.
 */
function boundaryInjections(parts: readonly UserDataPartView[]): string[] {
  return parts.flatMap((part) => {
    const found = karpenterBoundaryLine(part.body);
    if (!found) return [];
    return [`part ${part.index + 1} line ${found.line} ${JSON.stringify(found.text.slice(0, 80))} starts with "${KARPENTER_BOUNDARY_LINE_PREFIX}": Karpenter merges user data under the MIME boundary "//", where this line splits the part (the rest runs as a part of its own) or ends the document (Karpenter's NodeConfig is cut off); indent the line or build it at boot`];
  });
}

/** Reads Bottlerocket user data, which must be TOML. */
export function readBottlerocketUserData(userData: string): ReadUserData {
  if (userData.trim() === '') return { format: 'empty', parts: [], nodeConfigs: [], problems: [] };
  try {
    const settings = parseToml(userData) as Json;
    return { format: 'bottlerocket-toml', parts: [], nodeConfigs: [], bottlerocketSettings: settings, problems: karpenterProblems(userData) };
  } catch (error) {
    const reason = (error as Error).message.split('\n', 1)[0];
    return { format: 'bottlerocket-toml', parts: [], nodeConfigs: [], problems: [`Bottlerocket user data must be valid TOML (${reason}); Karpenter creates no launch template otherwise`] };
  }
}

/** What Karpenter's typed decode of `[settings.kubernetes]` would reject or drop. */
function karpenterProblems(userData: string): string[] {
  const parsed = parseSettingsExactly(userData);
  if ('error' in parsed) return [];
  return karpenterSettingsMismatches(parsed.document).map((m) => {
    const shown = `${m.path} = ${JSON.stringify(m.value)?.slice(0, 80)}`;
    return m.effect === 'rejected'
      ? `${shown} is not ${m.expected}: Karpenter ${KARPENTER_SETTINGS_VERSION} decodes it into a typed Go field and rejects the whole user data ("invalid UserData"), so no launch template and no node`
      : `${m.path} is not a field of Karpenter ${KARPENTER_SETTINGS_VERSION}'s Bottlerocket settings struct: Karpenter rewrites the table from that struct and drops the key, so the node never gets it`;
  });
}

function isYamlMapping(text: string): boolean {
  try {
    const docs = parseAllDocuments(text);
    if (!Array.isArray(docs) || docs.length === 0 || docs.some((d) => d.errors.length > 0)) return false;
    return isObject(docs[0].toJS());
  } catch {
    return false;
  }
}

interface HeaderBlock {
  readonly headers: Map<string, string>;
  readonly rest: string;
  readonly problem?: string;
}

/**
 * Reads RFC 5322 style headers up to the first blank line, as Go's
 * net/textproto does: a line without a colon is an error, indented lines
 * continue the previous header.
 */
function readHeaders(text: string): HeaderBlock {
  const headers = new Map<string, string>();
  const lines = text.split('\n');
  let last: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line === '') return { headers, rest: lines.slice(i + 1).join('\n') };
    if (/^[ \t]/.test(line) && last) {
      headers.set(last, `${headers.get(last)} ${line.trim()}`);
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) {
      return { headers, rest: '', problem: `malformed MIME header line ${JSON.stringify(line)}: put a blank line after the headers` };
    }
    last = line.slice(0, colon).trim().toLowerCase();
    headers.set(last, line.slice(colon + 1).trim());
  }
  return { headers, rest: '', problem: 'the headers are not followed by a blank line' };
}

/** Extracts a parameter (`boundary`) from a header value such as `multipart/mixed; boundary="//"`. */
function headerParameter(value: string, name: string): string | undefined {
  const match = new RegExp(`;\\s*${name}\\s*=\\s*("([^"]*)"|[^;\\s]+)`, 'i').exec(value);
  if (!match) return undefined;
  return match[2] ?? match[1];
}

function mediaTypeOf(contentType: string): string {
  return contentType.split(';', 1)[0].trim().toLowerCase();
}

function makePart(index: number, contentType: string, headers: ReadonlyMap<string, string>, body: string): UserDataPartView {
  return { index, mediaType: mediaTypeOf(contentType), contentType, headers, body };
}

function readMime(text: string): ReadUserData {
  const top = readHeaders(text);
  if (top.problem) return { format: 'mime', parts: [], nodeConfigs: [], problems: [`top-level ${top.problem}`] };
  const contentType = top.headers.get('content-type') ?? '';
  const boundary = headerParameter(contentType, 'boundary');
  if (!mediaTypeOf(contentType).startsWith('multipart/') || !boundary) {
    return {
      format: 'mime',
      parts: [],
      nodeConfigs: [],
      problems: [`top-level Content-Type ${JSON.stringify(contentType)} must be multipart/mixed with a boundary (Content-Type: multipart/mixed; boundary="//")`],
    };
  }
  const { bodies, problems } = splitParts(top.rest, boundary);
  const parts: UserDataPartView[] = [];
  bodies.forEach((raw, i) => {
    const block = readHeaders(raw);
    if (block.problem) {
      problems.push(`part ${i + 1}: ${block.problem}`);
      return;
    }
    const partType = block.headers.get('content-type');
    if (!partType) problems.push(`part ${i + 1} has no Content-Type header: use ${SHELL_CONTENT_TYPE} or ${NODE_CONFIG_CONTENT_TYPE}`);
    const encoding = block.headers.get('content-transfer-encoding');
    if (encoding && /base64/i.test(encoding) && mediaTypeOf(partType ?? '') !== NODE_CONFIG_CONTENT_TYPE) {
      problems.push(`part ${i + 1} is base64-encoded: Karpenter drops Content-Transfer-Encoding, so cloud-init receives base64 text and does not run it; send the part as plain text`);
    }
    parts.push(makePart(parts.length, partType ?? 'text/plain', block.headers, block.rest));
  });
  for (const part of parts) {
    if (part.mediaType === SHELL_CONTENT_TYPE && !part.body.startsWith('#!')) {
      problems.push(`part ${part.index + 1} (${SHELL_CONTENT_TYPE}) must start with "#!" or cloud-init will not run it`);
    }
  }
  return withNodeConfigs('mime', parts, problems);
}

/** Splits a multipart body on `--boundary` lines; a missing closing delimiter is tolerated, as in Go. */
function splitParts(body: string, boundary: string): { bodies: string[]; problems: string[] } {
  const delimiter = `--${boundary}`;
  const bodies: string[] = [];
  let current: string[] | undefined;
  for (const line of body.split('\n')) {
    const trimmed = line.trimEnd();
    if (trimmed === `${delimiter}--`) {
      if (current) bodies.push(current.join('\n'));
      return { bodies, problems: [] };
    }
    if (trimmed === delimiter) {
      if (current) bodies.push(current.join('\n'));
      current = [];
      continue;
    }
    current?.push(line);
  }
  if (current) bodies.push(current.join('\n'));
  const problems = bodies.length === 0 ? [`no part starts with the boundary line ${JSON.stringify(delimiter)}`] : [];
  return { bodies, problems };
}

function withNodeConfigs(format: UserDataFormat, parts: readonly UserDataPartView[], problems: string[]): ReadUserData {
  const nodeConfigs: NodeConfigDocument[] = [];
  for (const part of parts) {
    if (part.mediaType !== NODE_CONFIG_CONTENT_TYPE) continue;
    const decoded = decodeNodeConfigPart(part.body);
    if (typeof decoded === 'string') {
      problems.push(`part ${part.index + 1} (${NODE_CONFIG_CONTENT_TYPE}): ${decoded}`);
      continue;
    }
    for (const document of decoded) nodeConfigs.push({ partIndex: part.index, document });
  }
  return { format, parts, nodeConfigs, problems };
}

/**
 * Decodes a NodeConfig part. nodeadm also accepts base64 and gzip bodies
 * (it sniffs them), so those are unwrapped first. Returns a reason on failure.
 */
function decodeNodeConfigPart(body: string): Json[] | string {
  const text = unwrapEncodedBody(body);
  let docs;
  try {
    docs = parseAllDocuments(text);
  } catch (error) {
    return `not YAML: ${(error as Error).message}`;
  }
  const list = Array.isArray(docs) ? docs : [docs];
  const result: Json[] = [];
  for (const doc of list) {
    if (doc.errors.length > 0) return `not valid YAML: ${doc.errors[0].message.split('\n', 1)[0]}`;
    const value = doc.toJS();
    if (value === null || value === undefined) continue;
    if (!isObject(value)) return 'a NodeConfig must be a YAML mapping (apiVersion, kind, spec)';
    result.push(value);
  }
  if (result.length === 0) return 'the part holds no NodeConfig document';
  return result;
}

function unwrapEncodedBody(body: string): string {
  const compact = body.replace(/\s+/g, '');
  if (compact.length === 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(compact) || compact.length % 4 !== 0) return body;
  const bytes = Buffer.from(compact, 'base64');
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      return gunzipSync(bytes).toString('utf8');
    } catch {
      return body;
    }
  }
  const decoded = bytes.toString('utf8');
  // Only accept the decoding when it looks like text; a plain word is also valid base64.
  return /^[\x09\x0a\x0d\x20-\x7e]*$/.test(decoded) && decoded.includes(':') ? decoded : body;
}
