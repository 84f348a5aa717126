/**
 * `npm run synth:helm`: writes the Helm chart to dist/helm/karpenter-soci/ and a
 * values file per cluster to dist/helm/values/. On any error dist/helm/ is left as it was.
 */
import { writeHelmOutput } from '../main';

try {
  const files = writeHelmOutput();
  console.error(`synth:helm: ${files.length} files -> dist/helm/`);
} catch (err) {
  console.error(`synth:helm failed; dist/helm/ was left as it was.\n${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
}
