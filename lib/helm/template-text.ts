/**
 * Turns a synthesized object into Helm template text: the object is written as
 * YAML with a token where a value belongs, every literal `{{`/`}}` is escaped
 * so Helm prints it verbatim, then each token's line becomes template text.
 */
import { unfoldedYaml } from '../output/manifest-yaml';

/** Escapes `{{` and `}}` so Helm prints them verbatim. */
export function escapeBraces(text: string): string {
  return text.replace(/\{\{|\}\}/g, (braces) => `{{ ${JSON.stringify(braces)} }}`);
}

/** What replaces a token in the YAML text. */
export type Hole =
  /** `key: <expression as JSON>` */
  | { readonly kind: 'value'; readonly expr: string }
  /** the key only when the expression is set */
  | { readonly kind: 'optionalValue'; readonly expr: string }
  /** `key:` and the expression as YAML (a map or list), only when it is set */
  | { readonly kind: 'optionalYaml'; readonly expr: string }
  /** the list items of the expression when it is set, otherwise the literal items up to the `end` token */
  | { readonly kind: 'listOrDefault'; readonly expr: string; readonly end: string }
  /** a block scalar whose lines are template lines (already escaped) */
  | { readonly kind: 'block'; readonly lines: readonly string[]; readonly chomp: '' | '-' }
  /** raw template lines at the key's indentation (for fields that need their own logic) */
  | { readonly kind: 'raw'; readonly lines: readonly string[] }
  /** the end of a `listOrDefault` */
  | { readonly kind: 'end' };

/** Collects holes and hands out their tokens. */
export class TemplateBuilder {
  private readonly holes = new Map<string, Hole>();

  /** A token to put in the object where the hole goes. */
  public token(hole: Hole): string {
    const token = `__HELM_HOLE_${this.holes.size}__`;
    this.holes.set(token, hole);
    return token;
  }

  /** The template text of an object holding tokens. */
  public render(object: unknown): string {
    const yaml = escapeBraces(unfoldedYaml(object));
    const out: string[] = [];
    for (const line of yaml.split('\n')) {
      const match = /^(\s*)(- )?(?:([^\s:]+): )?(__HELM_HOLE_\d+__)$/.exec(line);
      if (!match) {
        if (line.includes('__HELM_HOLE_')) throw new Error(`a template token is not alone on its line: ${line}`);
        out.push(line);
        continue;
      }
      const [, indent, dash = '', key, token] = match;
      out.push(...this.expand(this.holes.get(token)!, indent, dash, key));
    }
    return out.join('\n');
  }

  private expand(hole: Hole, indent: string, dash: string, key: string | undefined): string[] {
    const inner = indent + ' '.repeat(dash.length);
    switch (hole.kind) {
      case 'value':
        return [`${indent}${dash}${key}: {{ toJson (${hole.expr}) }}`];
      case 'optionalValue':
        return [`${inner}{{- with ${hole.expr} }}`, `${indent}${dash}${key}: {{ toJson . }}`, `${inner}{{- end }}`];
      case 'optionalYaml':
        return [`${inner}{{- with ${hole.expr} }}`, `${indent}${dash}${key}:`, `${inner}  {{- toYaml . | nindent ${inner.length + 2} }}`, `${inner}{{- end }}`];
      case 'listOrDefault':
        return [`${indent}{{- if ${hole.expr} }}`, `${indent}{{- toYaml ${hole.expr} | nindent ${indent.length} }}`, `${indent}{{- else }}`];
      case 'end':
        return [`${indent}{{- end }}`];
      case 'raw':
        return hole.lines.map((l) => `${indent}${l}`);
      case 'block': {
        if (hole.lines[0]?.startsWith(' ')) throw new Error('a block scalar cannot start with a space without an indentation indicator');
        const body = `${inner}  `;
        return [`${indent}${dash}${key}: |${hole.chomp}`, ...hole.lines.map((l) => body + l)];
      }
    }
  }
}
