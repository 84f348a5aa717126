/**
 * Independent parsers for what the renderers produce: Debian's Python 3.11
 * (`email`, `tomllib`, `yaml`) and cloud-init's own user-data processor, so a
 * test never checks the renderer's output with the renderer's own libraries.
 *
 * Everything goes through one Python process per call: tests batch their
 * documents into a single {@link inspectWithPython} call.
 */
import { spawnSync } from 'child_process';

/** Debian's interpreter; cloud-init is installed for it, not for the python3 first on PATH. */
export const PYTHON = '/usr/bin/python3';

/** One leaf part as a MIME parser sees it. */
export interface ParsedPart {
  /** The bare MIME type (`text/x-shellscript`). */
  readonly contentType: string;
  /** The full `Content-Type` header value. */
  readonly contentTypeHeader: string;
  /** Header names in order. */
  readonly headerNames: string[];
  readonly body: string;
}

/** A user-data document as Python's `email` package and cloud-init read it. */
export interface ParsedMime {
  readonly isMultipart: boolean;
  readonly contentType: string;
  readonly boundary: string | null;
  /** Defects Python's parser noticed (missing closing boundary, bad headers, ...). */
  readonly defects: string[];
  readonly parts: ParsedPart[];
  /** Parts as cloud-init splits them (cloudinit.user_data.UserDataProcessor). */
  readonly cloudInitParts: ParsedPart[];
}

/** A TOML document as `tomllib` reads it, or its error. */
export type ParsedToml = { readonly ok: true; readonly value: any } | { readonly ok: false; readonly error: string };

export interface PythonInspection {
  readonly mime: ParsedMime[];
  readonly toml: ParsedToml[];
  readonly yaml: any[];
}

const PROGRAM = String.raw`
import json, sys

def part(p):
    payload = p.get_payload(decode=True)
    return {
        "contentType": p.get_content_type(),
        "contentTypeHeader": p.get("Content-Type", ""),
        "headerNames": list(p.keys()),
        "body": payload.decode("utf-8") if payload is not None else "",
    }

def leaves(msg):
    return [part(p) for p in msg.walk() if not p.is_multipart()]

def mime(text):
    # Imported where used: cloud-init alone takes most of the interpreter's start-up.
    import email
    from cloudinit.user_data import UserDataProcessor
    msg = email.message_from_string(text)
    defects = [type(d).__name__ for p in msg.walk() for d in p.defects]
    return {
        "isMultipart": msg.is_multipart(),
        "contentType": msg.get_content_type(),
        "boundary": msg.get_boundary(),
        "defects": defects,
        "parts": leaves(msg) if msg.is_multipart() else [],
        "cloudInitParts": leaves(UserDataProcessor({}).process(text)),
    }

def toml(text):
    import tomllib
    try:
        return {"ok": True, "value": tomllib.loads(text)}
    except tomllib.TOMLDecodeError as e:
        return {"ok": False, "error": str(e)}

def yaml_doc(text):
    import yaml
    return yaml.safe_load(text)

request = json.load(sys.stdin)
json.dump({
    "mime": [mime(t) for t in request.get("mime", [])],
    "toml": [toml(t) for t in request.get("toml", [])],
    "yaml": [yaml_doc(t) for t in request.get("yaml", [])],
}, sys.stdout)
`;

/** Parses every given document in one Python process. */
export function inspectWithPython(request: { mime?: string[]; toml?: string[]; yaml?: string[] }): PythonInspection {
  const result = spawnSync(PYTHON, ['-c', PROGRAM], { input: JSON.stringify(request), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) {
    throw new Error(`python failed (${result.status}): ${result.stderr}`);
  }
  return JSON.parse(result.stdout) as PythonInspection;
}
