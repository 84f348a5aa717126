import * as fs from 'node:fs';
import * as path from 'node:path';
import { App } from 'cdk8s';
import { buildClustersApp, ClusterSpec, loadClusters, renderClusterFileSchema } from './lib/clusters';
import { chartClusters, GitOpsSource, renderGitOpsFiles } from './lib/gitops';
import { packageVersion, renderHelmOutput, SynthHelmOptions, synthHelm } from './lib/helm';
import { runSynth } from './lib/output';

/** The project folder: this file's own, or the parent of build/ when the compiled build/main.js runs. */
const PROJECT_DIR = path.extname(__filename) === '.js' ? path.dirname(__dirname) : __dirname;

/** The cluster files this app synthesizes: one `dist/<name>/` folder per `clusters/<name>.yaml`. */
export const CLUSTERS_DIR = path.join(PROJECT_DIR, 'clusters');

/** The JSON Schema editors use for cluster files; generated from the loader's own schema. */
export const CLUSTER_SCHEMA_FILE = path.join(CLUSTERS_DIR, 'cluster.schema.json');

/** The cluster whose values are the Helm chart's defaults. */
export const DEFAULT_CLUSTER = 'my-cluster';

/**
 * One chart per cluster file: its EC2NodeClasses, whose nodes pull images
 * through SOCI in parallel-pull mode, and the NodePools that launch them.
 * Invalid files throw before any construct is built.
 */
export function buildApp(app: App = new App(), clustersDir: string = CLUSTERS_DIR): App {
  return buildClustersApp(loadClusters(clustersDir), app);
}

/** Rewrites `clusters/cluster.schema.json` when the schema in lib/clusters changed. */
export function writeClusterSchema(file: string = CLUSTER_SCHEMA_FILE): void {
  const schema = renderClusterFileSchema();
  if (!fs.existsSync(file) || fs.readFileSync(file, 'utf8') !== schema) fs.writeFileSync(file, schema);
}

/**
 * Writes the Helm chart to `<outdir>/karpenter-soci/` and a values file per cluster to
 * `<outdir>/values/`, replacing `outdir` whole (`npm run synth:helm -- --out DIR`; `npm run synth`
 * writes the same files into `dist/helm/`).
 */
export function writeHelmOutput(outdir: string, clustersDir: string = CLUSTERS_DIR): string[] {
  return synthHelm({ ...helmOptions(loadClusters(clustersDir)), outdir });
}

/**
 * The Git repository Argo CD and Flux read `dist/` from: set `repoURL` to the clone URL of the
 * repository this project is committed to, then `npm run synth`.
 */
export const GITOPS_SOURCE: GitOpsSource = { repoURL: 'https://github.com/example-org/karpenter-soci-fleet.git', branch: 'main', distPath: 'dist' };

/** The chart of this project's clusters: defaults from {@link DEFAULT_CLUSTER}, the package version as the chart version. */
function helmOptions(clusters: readonly ClusterSpec[]): SynthHelmOptions {
  return { clusters, defaultCluster: DEFAULT_CLUSTER, version: packageVersion(path.join(PROJECT_DIR, 'package.json')) };
}

/** The chart and the values files, keyed by path under `dist/helm/`; clusters the chart cannot serve are noted on stderr. */
function helmFiles(clusters: readonly ClusterSpec[]): Map<string, string> {
  return renderHelmOutput(helmOptions(clusters));
}

/** The GitOps objects, keyed by path under `dist/gitops/`; the Helm variants only for clusters the chart has a values file for. */
function gitOpsFiles(clusters: readonly ClusterSpec[]): Map<string, string> {
  return renderGitOpsFiles(clusters.map((cluster) => cluster.name), { source: GITOPS_SOURCE, helmClusters: chartClusters(clusters) });
}

/** Files of a sub-output, moved under its folder of `dist/`. */
function under(folder: string, files: ReadonlyMap<string, string>): [string, string][] {
  return [...files].map(([file, content]) => [`${folder}/${file}`, content]);
}

/** What one synth writes into `dist/`, from the cluster files read once. */
export interface DistSources {
  /** One chart per cluster: the clusters' folders. */
  readonly app: App;
  /** `helm/` (the chart and the values files) and `gitops/` (ApplicationSets and Flux objects). */
  extraFiles(): Map<string, string>;
}

/** Reads the cluster files and builds everything `npm run synth` writes into `dist/`. */
export function readDist(clustersDir: string = CLUSTERS_DIR): DistSources {
  const clusters = loadClusters(clustersDir);
  return {
    app: buildClustersApp(clusters),
    extraFiles: () => new Map([...under('helm', helmFiles(clusters)), ...under('gitops', gitOpsFiles(clusters))]),
  };
}

/**
 * The synth: the editors' schema, then one atomic replacement of `dist/` holding every
 * cluster's folder, the Helm chart (`helm/`) and the GitOps objects (`gitops/`), so a
 * failure anywhere leaves the previous `dist/` whole.
 * Runs when this file is the entry point, or when scripts/run-app.mjs loads the compiled app.
 */
export function main(): void {
  writeClusterSchema();
  let dist: DistSources | undefined;
  runSynth(() => (dist = readDist()).app, { extraFiles: () => dist!.extraFiles() });
}

if (require.main === module) main();
