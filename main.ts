import * as fs from 'node:fs';
import * as path from 'node:path';
import { App } from 'cdk8s';
import { buildClustersApp, loadClusters, renderClusterFileSchema } from './lib/clusters';
import { chartClusters, GitOpsSource, synthGitOps } from './lib/gitops';
import { packageVersion, synthHelm } from './lib/helm';
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
 * Writes the Helm chart to `dist/helm/karpenter-soci/` and a values file per
 * cluster to `dist/helm/values/`, replacing `dist/helm/` whole.
 */
export function writeHelmOutput(outdir: string = path.join('dist', 'helm'), clustersDir: string = CLUSTERS_DIR): string[] {
  return synthHelm({ clusters: loadClusters(clustersDir), defaultCluster: DEFAULT_CLUSTER, version: packageVersion(path.join(PROJECT_DIR, 'package.json')), outdir });
}

/**
 * The Git repository Argo CD and Flux read `dist/` from: set `repoURL` to the clone URL of the
 * repository this project is committed to, then `npm run synth`.
 */
export const GITOPS_SOURCE: GitOpsSource = { repoURL: 'https://github.com/example-org/karpenter-soci-fleet.git', branch: 'main', distPath: 'dist' };

/**
 * Writes the Argo CD ApplicationSets and the Flux objects for every cluster file to
 * `dist/gitops/`, replacing it whole.
 */
export function writeGitOpsOutput(outdir: string = path.join('dist', 'gitops'), clustersDir: string = CLUSTERS_DIR): string[] {
  const clusters = loadClusters(clustersDir);
  // The Helm variants only for the clusters the chart has a values file for.
  return synthGitOps(clusters.map((cluster) => cluster.name), { source: GITOPS_SOURCE, helmClusters: chartClusters(clusters), outdir });
}

/**
 * The synth: the editors' schema, then every cluster into `dist/`, then the Helm chart and the GitOps objects.
 * Runs when this file is the entry point, or when scripts/run-app.mjs loads the compiled app.
 */
export function main(): void {
  writeClusterSchema();
  runSynth(() => buildApp());
  // runSynth replaces dist/ whole, so the chart is written again after it: dist/ stays complete.
  if (!process.exitCode) {
    try {
      writeHelmOutput();
    } catch (err) {
      console.error(`synth of the Helm chart failed; dist/helm/ was left as it was.\n${err instanceof Error ? err.message : String(err)}`);
      process.exitCode = 1;
    }
  }
  if (!process.exitCode) {
    try {
      writeGitOpsOutput();
    } catch (err) {
      console.error(`synth of the GitOps objects failed; dist/gitops/ was left as it was.\n${err instanceof Error ? err.message : String(err)}`);
      process.exitCode = 1;
    }
  }
}

if (require.main === module) main();
