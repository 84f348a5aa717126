import { UserDataPart } from './user-data-part';

/**
 * The boundary tried first. Karpenter rewrites every boundary to `//` when it
 * merges its own part, so this one only matters for launch templates written
 * directly; it is chosen to be unlikely in scripts and YAML.
 */
export const BASE_BOUNDARY = '==SOCI-USERDATA-BOUNDARY==';

/**
 * Renders parts as one `multipart/mixed` MIME document, in the form Karpenter,
 * nodeadm and cloud-init all accept: `MIME-Version` first, a blank line after
 * every header block, only a `Content-Type` header per part (Karpenter drops
 * every other header, so no transfer encoding), LF line endings and a closing
 * delimiter.
 *
 * Pure: the same parts always give the same text.
 */
export function renderMultipart(parts: readonly UserDataPart[]): string {
  const boundary = chooseBoundary(parts);
  const lines: string[] = [
    'MIME-Version: 1.0',
    `Content-Type: multipart/mixed; boundary="${boundary}"`,
    '',
  ];
  for (const part of parts) {
    lines.push(`--${boundary}`, `Content-Type: ${part.contentType}`, '', stripFinalNewline(part.body));
  }
  lines.push(`--${boundary}--`, '');
  return lines.join('\n');
}

/**
 * A boundary that occurs in no part (headers or body): {@link BASE_BOUNDARY},
 * or the base with the smallest numeric suffix that is absent. The search
 * ends because the parts are finite: each text can contain only finitely many
 * candidates.
 */
export function chooseBoundary(parts: readonly UserDataPart[]): string {
  const texts = parts.flatMap((part) => [part.contentType, part.body]);
  const occurs = (candidate: string) => texts.some((text) => text.includes(candidate));
  let candidate = BASE_BOUNDARY;
  for (let suffix = 1; occurs(candidate); suffix++) {
    candidate = `${BASE_BOUNDARY}${suffix}`;
  }
  return candidate;
}

/** The line break before a delimiter belongs to the delimiter (RFC 2046 §5.1.1), so drop the body's own. */
function stripFinalNewline(body: string): string {
  return body.endsWith('\n') ? body.slice(0, -1) : body;
}
