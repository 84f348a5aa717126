/**
 * Finds SOCI `config.toml` documents that shell parts write with a
 * `SOCI_CONFIG_TOML` here-document, e.g.
 *
 *     cat > /etc/soci-snapshotter-grpc/config.toml <<'SOCI_CONFIG_TOML'
 *     ...
 *     SOCI_CONFIG_TOML
 */
import { parse as parseToml } from 'smol-toml';
import { Json } from './manifest-kinds';
import { SHELL_CONTENT_TYPE, UserDataPartView } from './user-data-reader';

export const SOCI_CONFIG_HEREDOC = 'SOCI_CONFIG_TOML';

export interface SociConfigDocument {
  readonly partIndex: number;
  readonly text: string;
  /** The parsed TOML, or undefined when it does not parse. */
  readonly config?: Json;
  readonly parseError?: string;
}

const OPENER = new RegExp(`<<(-?)\\s*(['"]?)${SOCI_CONFIG_HEREDOC}\\2`);

export function findSociConfigs(parts: readonly UserDataPartView[]): SociConfigDocument[] {
  const found: SociConfigDocument[] = [];
  for (const part of parts) {
    if (part.mediaType !== SHELL_CONTENT_TYPE) continue;
    const lines = part.body.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const opener = OPENER.exec(lines[i]);
      if (!opener) continue;
      const stripTabs = opener[1] === '-';
      const body: string[] = [];
      let j = i + 1;
      for (; j < lines.length; j++) {
        const line = stripTabs ? lines[j].replace(/^\t+/, '') : lines[j];
        if (line === SOCI_CONFIG_HEREDOC) break;
        body.push(line);
      }
      found.push(parseDocument(part.index, body.join('\n')));
      i = j;
    }
  }
  return found;
}

function parseDocument(partIndex: number, text: string): SociConfigDocument {
  try {
    return { partIndex, text, config: parseToml(text) as Json };
  } catch (error) {
    return { partIndex, text, parseError: (error as Error).message.split('\n', 1)[0] };
  }
}
