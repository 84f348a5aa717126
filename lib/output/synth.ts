import * as fs from 'node:fs';
import * as path from 'node:path';
import { ApiObject, App } from 'cdk8s';
import { replaceDirAtomically } from './atomic-dir';
import { ChartManifests, renderCdk8sCliFiles, renderDistFiles, synthesizeCharts } from './manifest-files';
import { validationGate } from './validation-gate';

/** Options of {@link synthToDist}. */
export interface SynthToDistOptions {
  /**
   * The folder to replace with the synthesized manifests.
   * @default 'dist'
   */
  readonly outdir?: string;
  /**
   * A folder that also receives cdk8s-cli's layout (`<chart>.k8s.yaml`). The CLI sets
   * `CDK8S_OUTDIR` when it runs the app, so its validation plugins see the same objects.
   * @default - `CDK8S_OUTDIR` when set to another folder than `outdir`, else none
   */
  readonly cdk8sOutdir?: string;
  /**
   * Checks run on the synthesized manifests before anything is written; throw to stop the synth.
   * @default - validationGate(app): CRD schemas, CEL rules and SOCI guards
   */
  readonly check?: (charts: readonly ChartManifests[]) => void;
}

/** What a synth wrote. */
export interface SynthResult {
  readonly charts: readonly ChartManifests[];
  /** Paths relative to `outdir`, sorted. */
  readonly files: readonly string[];
}

/**
 * Synthesizes the app, runs the checks, and only then replaces `outdir` whole.
 * Any error (a construct's, a validation's) leaves the previous `outdir` as it was.
 */
export function synthToDist(app: App, options: SynthToDistOptions = {}): SynthResult {
  const outdir = options.outdir ?? 'dist';
  const charts = synthesizeCharts(app);
  (options.check ?? validationGate(app))(charts);
  const files = renderDistFiles(charts);
  replaceDirAtomically(outdir, files);

  const cliOutdir = options.cdk8sOutdir ?? process.env.CDK8S_OUTDIR;
  if (cliOutdir && path.resolve(cliOutdir) !== path.resolve(outdir)) {
    writeCdk8sCliOutput(cliOutdir, charts, app);
  }
  return { charts, files: [...files.keys()].sort() };
}

function writeCdk8sCliOutput(dir: string, charts: readonly ChartManifests[], app: App): void {
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, content] of renderCdk8sCliFiles(charts)) {
    fs.writeFileSync(path.join(dir, name), content);
  }
  // With validation plugins configured the CLI asks for construct metadata, which its
  // reports use to name the construct behind each violating object.
  if (process.env.CDK8S_RECORD_CONSTRUCT_METADATA === 'true') {
    fs.writeFileSync(path.join(dir, 'construct-metadata.json'), JSON.stringify(constructMetadata(app)));
  }
}

/** cdk8s's construct-metadata.json: each object's name mapped to its construct path. */
function constructMetadata(app: App): { version: string; resources: Record<string, { path: string }> } {
  const resources: Record<string, { path: string }> = {};
  for (const construct of app.node.findAll()) {
    if (ApiObject.isApiObject(construct)) resources[construct.name] = { path: construct.node.path };
  }
  return { version: '1.0.0', resources };
}

/**
 * The entry point of an app's `main.ts`: builds the app, synthesizes it into
 * `outdir`, prints a summary, and on any error prints the message and exits
 * non-zero with `outdir` untouched.
 */
export function runSynth(buildApp: () => App, options: SynthToDistOptions = {}): void {
  try {
    const result = synthToDist(buildApp(), options);
    const objects = result.charts.reduce((n, c) => n + c.manifests.length, 0);
    console.error(`synth: ${objects} objects in ${result.charts.length} chart(s) -> ${options.outdir ?? 'dist'}/ (${result.files.length} files)`);
  } catch (err) {
    console.error(`synth failed; ${options.outdir ?? 'dist'}/ was left as it was.\n${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  }
}
