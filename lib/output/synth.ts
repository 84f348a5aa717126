import * as fs from 'node:fs';
import * as path from 'node:path';
import { App } from 'cdk8s';
import { ConfigError } from '../errors';
import { constructMetadataKey, isHelmTemplatesFolder } from '../validation/clusters';
import { previousFolderOf, recoverInterruptedSwap, replaceDirAtomically, SwapInterruptedError } from './atomic-dir';
import { cdk8sPluginProperties } from './cli-plugin-properties';
import { ChartManifests, objectKey, renderCdk8sCliFiles, renderDistFiles, synthesizeCharts } from './manifest-files';
import { resolveOutputFolder } from './output-folder';
import { OutputLockOptions, withOutputLock } from './output-lock';
import { validationGate, ValidationGateOptions } from './validation-gate';

/** Options of {@link synthToDist}. */
export interface SynthToDistOptions extends OutputLockOptions {
  /**
   * The folder to replace with the synthesized manifests. It must be a folder of
   * its own: not the current directory or a parent of it, not a project root, and
   * not a non-empty folder this project did not write (see {@link resolveOutputFolder}).
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
   * @default - validationGate(app): CRD schemas, CEL rules and SOCI guards; under
   * `cdk8s synth`, with the validation plugin's settings (Helm output, cdk8s.yaml `properties:`)
   */
  readonly check?: (charts: readonly ChartManifests[]) => void;
  /**
   * More files for `outdir`, keyed by relative path, written in the same swap as
   * the manifests (so `outdir` is never seen without them), for example a Helm
   * chart under `helm/`. A path must stay inside `outdir` and outside every cluster's folder.
   * @default - none
   */
  readonly extraFiles?: (charts: readonly ChartManifests[]) => ReadonlyMap<string, string>;
}

/** What a synth wrote. */
export interface SynthResult {
  readonly charts: readonly ChartManifests[];
  /** Paths relative to `outdir`, sorted. */
  readonly files: readonly string[];
}

/**
 * Synthesizes the app, runs the checks, writes cdk8s-cli's layout when asked,
 * and only then, as its last step, replaces `outdir` whole
 * ({@link replaceDirAtomically}). Any error leaves `outdir` as it was.
 */
export function synthToDist(app: App, options: SynthToDistOptions = {}): SynthResult {
  const outdir = options.outdir ?? 'dist';
  const folder = resolveOutputFolder(outdir);
  const charts = synthesizeCharts(app);
  const files = renderDistFiles(charts);
  const cliOutdir = options.cdk8sOutdir ?? process.env.CDK8S_OUTDIR;
  const writesCliLayout = cliOutdir !== undefined && path.resolve(cliOutdir) !== folder && path.resolve(cliOutdir) !== path.resolve(outdir);
  (options.check ?? validationGate(app, writesCliLayout ? pluginChecks(cliOutdir!) : {}))(charts);

  if (options.extraFiles) addExtraFiles(files, charts, options.extraFiles(charts));
  if (writesCliLayout) writeCdk8sCliOutput(cliOutdir!, charts);
  replaceDirAtomically(folder, files, options);
  return { charts, files: [...files.keys()].sort() };
}

/**
 * Under `cdk8s synth`, the app checks what the validation plugin will check after
 * it: Helm output when the CLI runs it with `--format helm`, and the plugin's
 * `properties:` from cdk8s.yaml. So the plugin never fails once `dist/` is replaced.
 */
function pluginChecks(cliOutdir: string): ValidationGateOptions {
  const properties = cdk8sPluginProperties();
  return { helm: properties.helm ?? isHelmTemplatesFolder(path.resolve(cliOutdir)), helmEscaping: properties.helmEscaping };
}

function addExtraFiles(files: Map<string, string>, charts: readonly ChartManifests[], extra: ReadonlyMap<string, string>): void {
  const clusterFolders = new Set(charts.map((c) => c.chartId.toLowerCase()));
  for (const [file, content] of extra) {
    const parts = file.split(/[\\/]/);
    if (path.isAbsolute(file) || parts.some((p) => p === '..' || p === '') || clusterFolders.has(parts[0].toLowerCase()) || files.has(file)) {
      throw new ConfigError('synth', 'extraFiles', file, 'a relative path inside outdir, without ".." and outside every cluster\'s folder and the manifests\' files');
    }
    files.set(file, content);
  }
}

function writeCdk8sCliOutput(dir: string, charts: readonly ChartManifests[]): void {
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, content] of renderCdk8sCliFiles(charts)) {
    fs.writeFileSync(path.join(dir, name), content);
  }
  // With validation plugins configured the CLI asks for construct metadata, which its
  // reports use to name the construct behind each violating object.
  if (process.env.CDK8S_RECORD_CONSTRUCT_METADATA === 'true') {
    fs.writeFileSync(path.join(dir, 'construct-metadata.json'), JSON.stringify(constructMetadata(charts)));
  }
}

/**
 * cdk8s's construct-metadata.json (version 1.0.0, which cdk8s-cli requires): each
 * object's construct path, keyed by cluster, kind and name ({@link constructMetadataKey}),
 * since one name can be used by several kinds and clusters. The validation plugin reads it.
 */
function constructMetadata(charts: readonly ChartManifests[]): { version: string; resources: Record<string, { path: string }> } {
  const resources: Record<string, { path: string }> = {};
  for (const { chartId, manifests, sources } of charts) {
    for (const { kind, metadata } of manifests) {
      const source = sources?.get(objectKey(kind, metadata.name));
      if (source) resources[constructMetadataKey(chartId, kind, metadata.name)] = { path: source };
    }
  }
  return { version: '1.0.0', resources };
}

/**
 * The entry point of an app's `main.ts`: checks `outdir`, takes its lock, repairs
 * what an interrupted synth left (before the app is built, so a failing build
 * still restores it), builds the app, synthesizes it into `outdir` and prints a
 * summary to `options.log`. On any error it prints the message, says truly what
 * became of `outdir`, and sets a non-zero exit code.
 */
export function runSynth(buildApp: () => App, options: SynthToDistOptions = {}): void {
  const outdir = options.outdir ?? 'dist';
  const shown = `${outdir}/`;
  const log = options.log ?? ((line: string) => console.error(line));
  let existed = fs.existsSync(outdir);
  let restored = false;
  try {
    const folder = resolveOutputFolder(outdir);
    withOutputLock(folder, () => {
      restored = recoverInterruptedSwap(folder);
      if (restored) log(`synth: ${shown} was missing after an interrupted synth; restored its previous content from ${previousFolderOf(folder)}`);
      existed = fs.existsSync(folder);
      const result = synthToDist(buildApp(), options);
      const objects = result.charts.reduce((n, c) => n + c.manifests.length, 0);
      log(`synth: ${objects} objects in ${result.charts.length} chart(s) -> ${shown} (${result.files.length} files)`);
    }, { ...options, log });
  } catch (err) {
    log(`synth failed; ${whatBecameOf(shown, { existed, restored, err })}.\n${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  }
}

function whatBecameOf(shown: string, state: { existed: boolean; restored: boolean; err: unknown }): string {
  if (state.err instanceof SwapInterruptedError) return `${shown} could not be replaced`;
  if (state.restored) return `${shown} holds its previous content again (restored at the start of this run, after an interrupted synth), and nothing else changed`;
  return state.existed ? `${shown} was left as it was` : `${shown} was not written`;
}
