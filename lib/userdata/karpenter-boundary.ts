// Free of cdk8s and of the generated imports: the validator (and its plugin bundle) reads it too.

/**
 * Karpenter re-serialises every AL2023 user data under the boundary `//`
 * (mime.Archive.Serialize, Karpenter v1.14.1). A part line that starts with
 * `--//` then becomes a delimiter: Go's multipart reader and cloud-init split
 * the part there (text meant for a heredoc runs as a part of its own) or end
 * the document at `--//--` (Karpenter's own NodeConfig is cut off). Such lines
 * are refused in every part.
 */
export const KARPENTER_BOUNDARY_LINE_PREFIX = '--//';

/** The first line (1-based) that starts with {@link KARPENTER_BOUNDARY_LINE_PREFIX}, or undefined. */
export function karpenterBoundaryLine(body: string): { readonly line: number; readonly text: string } | undefined {
  const lines = body.split('\n');
  const index = lines.findIndex((line) => line.startsWith(KARPENTER_BOUNDARY_LINE_PREFIX));
  return index < 0 ? undefined : { line: index + 1, text: lines[index] };
}
