/**
 * Regenerates `imports/` from the pinned upstream CRDs, or checks that it is current.
 *
 *   npm run import                          # fetch the pinned files from their upstream URLs
 *   npm run import -- --from DIR            # read the same files from a local folder (offline)
 *   npm run import -- --out DIR             # write somewhere else than imports/
 *   npm run check:imports [-- --from DIR]   # regenerate into a temporary folder and compare with imports/
 *
 * Every CRD is checked against its pinned sha256 before anything is generated, so a
 * moved tag or a hand-edited local copy cannot slip into the typed API.
 *
 * For each CRD this writes:
 *   imports/<group>.ts            TypeScript types (`cdk8s import`), with a provenance header
 *   imports/<group>.schema.json   the served version's openAPIV3Schema, for synth-time validation
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { compareFolders, describeDifferences, isSame } from './compare-folders';

interface PinnedCrd {
  /** file name upstream and in a local mirror folder (relative to --from) */
  readonly localPath: string;
  readonly url: string;
  readonly version: string;
  readonly sha256: string;
  /** API group; cdk8s import names the generated file after it */
  readonly group: string;
}

const KARPENTER = 'v1.14.1';
const EKS_AMI = 'v20260724';

export const PINNED_CRDS: readonly PinnedCrd[] = [
  {
    localPath: 'karpenter.sh_nodepools.yaml',
    url: `https://raw.githubusercontent.com/aws/karpenter-provider-aws/${KARPENTER}/pkg/apis/crds/karpenter.sh_nodepools.yaml`,
    version: `Karpenter ${KARPENTER}`,
    sha256: '3bb64a20c80776b77aa19a699ebdaf34480a7b2e7ec4ef890b43225b3517f878',
    group: 'karpenter.sh',
  },
  {
    localPath: 'karpenter.k8s.aws_ec2nodeclasses.yaml',
    url: `https://raw.githubusercontent.com/aws/karpenter-provider-aws/${KARPENTER}/pkg/apis/crds/karpenter.k8s.aws_ec2nodeclasses.yaml`,
    version: `Karpenter ${KARPENTER}`,
    sha256: '62dec59f01c0972d4503ca3ed25f243ba9c2f561be0d964ce7a14c8df406132f',
    group: 'karpenter.k8s.aws',
  },
  {
    localPath: 'nodeadm/node.eks.aws_nodeconfigs.yaml',
    url: `https://raw.githubusercontent.com/awslabs/amazon-eks-ami/${EKS_AMI}/nodeadm/crds/node.eks.aws_nodeconfigs.yaml`,
    version: `amazon-eks-ami ${EKS_AMI} (nodeadm)`,
    sha256: '23540b4578f8d58ca9670e4c87cd4430866e18904d6f9804e57d75c360bed2be',
    group: 'node.eks.aws',
  },
];

const ROOT = path.resolve(__dirname, '..');

async function readCrd(crd: PinnedCrd, from: string | undefined): Promise<Buffer> {
  if (from) return fs.readFileSync(path.resolve(from, crd.localPath));
  const res = await fetch(crd.url);
  if (!res.ok) throw new Error(`GET ${crd.url}: HTTP ${res.status}`);
  return Buffer.from(await res.arrayBuffer());
}

function verify(crd: PinnedCrd, body: Buffer): void {
  const actual = createHash('sha256').update(body).digest('hex');
  if (actual !== crd.sha256) {
    throw new Error(`${crd.localPath}: sha256 ${actual} does not match the pinned ${crd.sha256} (${crd.url})`);
  }
}

function header(crd: PinnedCrd): string {
  return [
    `// Source: ${crd.url}`,
    `// Version: ${crd.version}, sha256 ${crd.sha256}`,
    '// Regenerate with `npm run import`; do not edit by hand.',
  ].join('\n');
}

function generateTypes(crd: PinnedCrd, file: string, workDir: string, out: string): void {
  const cli = path.join(ROOT, 'node_modules', '.bin', 'cdk8s');
  execFileSync(cli, ['import', file, '--language', 'typescript', '--output', workDir, '--no-save', '--no-check-upgrade'], {
    cwd: workDir,
    stdio: 'pipe', // its progress chatter is noise; on failure execFileSync throws with stderr attached
  });
  const generated = fs.readFileSync(path.join(workDir, `${crd.group}.ts`), 'utf8');
  fs.writeFileSync(path.join(out, `${crd.group}.ts`), `${header(crd)}\n${generated}`);
}

function extractSchema(crd: PinnedCrd, body: Buffer, out: string): void {
  const doc = parseYaml(body.toString('utf8'));
  const version = doc.spec.versions.find((v: { storage: boolean }) => v.storage);
  const schema = {
    $comment: `${doc.spec.names.kind} ${doc.spec.group}/${version.name} openAPIV3Schema from ${crd.url} (${crd.version}, sha256 ${crd.sha256}). Regenerate with npm run import; do not edit by hand.`,
    ...version.schema.openAPIV3Schema,
  };
  fs.writeFileSync(path.join(out, `${crd.group}.schema.json`), `${JSON.stringify(schema, null, 2)}\n`);
}

const USAGE = `Usage: npm run import -- [--from DIR] [--out DIR]
       npm run check:imports -- [--from DIR]

Generates imports/ (TypeScript types and JSON schemas) from the pinned CRDs, each checked against its sha256:
${PINNED_CRDS.map((crd) => `  ${crd.localPath}  ${crd.url}`).join('\n')}

  --from DIR   read the CRD files from DIR (same relative paths as above) instead of downloading them
  --out DIR    write the generated files to DIR instead of imports/
  --check      generate into a temporary folder and compare with imports/; exit 1 when they differ
  --help       print this text
`;

/** Generates every pinned CRD's types and schema into `out`, reading the CRDs from `from` or their URLs. */
async function generateImports(from: string | undefined, out: string, log: (line: string) => void): Promise<void> {
  fs.mkdirSync(out, { recursive: true });
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crd-import-'));
  try {
    for (const crd of PINNED_CRDS) {
      const body = await readCrd(crd, from);
      verify(crd, body);
      const file = path.join(workDir, path.basename(crd.localPath));
      fs.writeFileSync(file, body);
      generateTypes(crd, file, workDir, out);
      extractSchema(crd, body, out);
      log(`${path.relative(process.cwd(), out) || '.'}/${crd.group}.ts and .schema.json <- ${from ? path.join(from, crd.localPath) : crd.url}`);
    }
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

/** Regenerates into a temporary folder and compares with imports/; returns the exit code. */
async function checkImports(from: string | undefined): Promise<number> {
  const fresh = fs.mkdtempSync(path.join(os.tmpdir(), 'imports-check-'));
  try {
    await generateImports(from, fresh, () => undefined);
    const committed = path.join(ROOT, 'imports');
    const differences = compareFolders(committed, fresh);
    if (isSame(differences)) {
      console.log(`imports/ is what npm run import generates from the pinned CRDs (${PINNED_CRDS.length} CRDs)`);
      return 0;
    }
    console.error('imports/ differs from what npm run import generates (missing: generated but not committed; extra: committed but not generated):');
    console.error(describeDifferences('imports', committed, fresh, differences));
    console.error('Run npm run import and commit imports/.');
    return 1;
  } finally {
    fs.rmSync(fresh, { recursive: true, force: true });
  }
}

async function main(): Promise<number> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    process.stdout.write(USAGE);
    return 0;
  }
  const from = flagValue('--from', 'a folder that holds the pinned CRD files');
  if (process.argv.includes('--check')) return checkImports(from);
  const out = path.resolve(flagValue('--out', 'a folder to write the generated files to') ?? path.join(ROOT, 'imports'));
  await generateImports(from, out, (line) => console.log(line));
  return 0;
}

function flagValue(flag: string, what: string): string | undefined {
  const index = process.argv.indexOf(flag);
  if (index < 0) return undefined;
  const value = process.argv[index + 1];
  if (!value || value.startsWith('--')) throw new Error(`${flag} needs ${what}`);
  return value;
}

if (require.main === module) {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      console.error(`import failed: ${err.message}`);
      process.exitCode = 1;
    },
  );
}
