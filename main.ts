import * as fs from 'node:fs';
import * as path from 'node:path';
import { App } from 'cdk8s';
import { buildClustersApp, loadClusters, renderClusterFileSchema } from './lib/clusters';
import { runSynth } from './lib/output';

/** The cluster files this app synthesizes: one `dist/<name>/` folder per `clusters/<name>.yaml`. */
export const CLUSTERS_DIR = path.join(__dirname, 'clusters');

/** The JSON Schema editors use for cluster files; generated from the loader's own schema. */
export const CLUSTER_SCHEMA_FILE = path.join(CLUSTERS_DIR, 'cluster.schema.json');

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

if (require.main === module) {
  writeClusterSchema();
  runSynth(() => buildApp());
}
