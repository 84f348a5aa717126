/**
 * The package as a team installs it: `npm pack`, then a fresh cdk8s app (laid out as
 * `cdk8s init typescript-app` does) installs the tarball and uses the library by name
 * under plain node, ts-node (through `cdk8s synth` and the validation plugin), tsx and tsc.
 *
 * One pack and one offline install serve every check; the checks run side by side.
 * cdk8s-cli is the team's tool, not something the package brings: the checkout's own (the
 * version this repository pins) runs in the app's folder, so the app installs the package,
 * its peers and the TypeScript tools without the CLI's own tree (more than half the files).
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { Lockfile, lockPathOf, REPO_ROOT, teamAppLockfile } from './offline-lockfile';

const APP_SOURCES = path.join(__dirname, 'app');
const PACKAGE = 'cdk8s-karpenter-soci';

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** npm's own variables (set when jest runs under `npm test`) would leak into the nested npm calls. */
const CLEAN_ENV = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.toLowerCase().startsWith('npm_')));

function run(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd, env: { ...CLEAN_ENV, ...env }, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

function expectSuccess(result: Run): void {
  if (result.code !== 0) throw new Error(`exit ${result.code}\n${result.stdout}\n${result.stderr}`);
}

/** What `npm pack --json` reports; lifecycle scripts print before the JSON on stdout. */
interface PackReport {
  readonly filename: string;
  readonly size: number;
  readonly unpackedSize: number;
  readonly entryCount: number;
  readonly integrity: string;
  readonly files: ReadonlyArray<{ readonly path: string }>;
}

function parsePackReport(stdout: string): PackReport {
  const start = stdout.search(/^\[\s*$/m);
  if (start < 0) throw new Error(`npm pack printed no JSON report:\n${stdout}`);
  return (JSON.parse(stdout.slice(start)) as PackReport[])[0]!;
}

interface KubeObject {
  readonly kind: string;
  readonly metadata: { readonly name: string };
  readonly spec: any;
}

function readObjects(file: string): KubeObject[] {
  return parseAllDocuments(fs.readFileSync(file, 'utf8')).map((doc) => doc.toJS() as KubeObject);
}

let work: string;
let appDir: string;
let pack: PackReport;
let results: Record<'node' | 'tscStrict' | 'cdk8sSynth' | 'tsx' | 'bin' | 'binBadFlag', Run>;

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'team-app-'));
  appDir = path.join(work, 'app');
  fs.mkdirSync(appDir);

  // GIVEN the package packed as npm would publish it (prepack builds build/ unless its stamp shows it current)
  const packed = await run('npm', ['pack', '--json', '--pack-destination', appDir], REPO_ROOT);
  expectSuccess(packed);
  pack = parsePackReport(packed.stdout);

  // AND a fresh team app that depends on the tarball, installed offline from the npm cache
  writeTeamApp(appDir, pack);
  expectSuccess(await run('npm', ['install', '--offline', '--no-audit', '--no-fund'], appDir));
  const template = path.join(REPO_ROOT, 'node_modules', 'cdk8s-cli', 'templates', 'typescript-app');
  fs.copyFileSync(path.join(template, 'tsconfig.json'), path.join(appDir, 'tsconfig.json'));
  fs.writeFileSync(path.join(appDir, 'cdk8s.yaml'), cdk8sYaml(path.join(template, 'cdk8s.yaml')));

  // WHEN every consumer uses it, side by side
  const bin = (name: string) => path.join(appDir, 'node_modules', '.bin', name);
  const [node, tscStrict, cdk8sSynth, tsx, userdata, binBadFlag] = await Promise.all([
    run(process.execPath, ['check-node.js'], appDir),
    run(bin('tsc'), ['--noEmit', '--listFiles', '-p', 'tsconfig.strict.json'], appDir),
    // ts-node only transpiles here: the tsc run beside it type-checks the same files under init's tsconfig
    // plus stricter flags, so ts-node's own check (the same program again) would only repeat it.
    run(path.join(REPO_ROOT, 'node_modules', '.bin', 'cdk8s'), ['synth', '--no-check-upgrade'], appDir, { TS_NODE_TRANSPILE_ONLY: 'true' }),
    run(bin('tsx'), ['main.ts'], appDir, { CDK8S_OUTDIR: 'out-tsx' }),
    run(bin('karpenter-soci-userdata'), ['--strategy', 'native', '--chunk-size', '16mb'], appDir),
    run(bin('karpenter-soci-userdata'), ['--bogus'], appDir),
  ]);
  results = { node, tscStrict, cdk8sSynth, tsx, bin: userdata, binBadFlag };
}, 300_000);

afterAll(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

/** package.json and package-lock.json of the team app; the lock lets npm install offline. */
function writeTeamApp(dir: string, packed: PackReport): void {
  const ours = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
  const repoLock = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package-lock.json'), 'utf8')) as Lockfile;
  const template = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'node_modules/cdk8s-cli/templates/typescript-app/package.json'), 'utf8'));
  const tarball = `file:${packed.filename}`;
  const dependencies = { 'cdk8s': ours.devDependencies.cdk8s, 'constructs': ours.devDependencies.constructs, [PACKAGE]: tarball };
  const devDependencies = {
    '@types/node': ours.devDependencies['@types/node'],
    'ts-node': ours.devDependencies['ts-node'],
    'tsx': ours.devDependencies.tsx,
    // The TypeScript that `cdk8s init typescript-app` installs, not this repository's.
    'typescript': template.devDependencies.typescript as string,
  };
  const lock = teamAppLockfile(repoLock, {
    name: 'team-app',
    version: '1.0.0',
    dependencies,
    devDependencies,
    registry: 'https://registry.npmjs.org/',
    direct: {
      'cdk8s': 'node_modules/cdk8s',
      'constructs': 'node_modules/constructs',
      '@types/node': 'node_modules/@types/node',
      'ts-node': 'node_modules/ts-node',
      'tsx': 'node_modules/tsx',
      'typescript': lockPathOf(repoLock, 'typescript', (devDependencies.typescript as string).replace(/x$/, '')),
      [PACKAGE]: {
        version: ours.version,
        resolved: tarball,
        integrity: packed.integrity,
        license: ours.license,
        dependencies: ours.dependencies,
        peerDependencies: ours.peerDependencies,
        peerDependenciesMeta: ours.peerDependenciesMeta,
        bin: ours.bin,
        engines: ours.engines,
      },
    },
  });
  const manifest = { name: 'team-app', version: '1.0.0', private: true, dependencies, devDependencies };
  fs.writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  fs.writeFileSync(path.join(dir, 'package-lock.json'), `${JSON.stringify(lock, null, 2)}\n`);
  for (const file of fs.readdirSync(APP_SOURCES)) fs.copyFileSync(path.join(APP_SOURCES, file), path.join(dir, file));
}

/** The template's cdk8s.yaml (language, `app:`) plus the plugin from node_modules; no k8s import (offline). */
function cdk8sYaml(templateFile: string): string {
  const template = parseAllDocuments(fs.readFileSync(templateFile, 'utf8'))[0]!.toJS() as { language: string; app: string };
  return [
    `language: ${template.language}`,
    `app: ${template.app}`,
    'validations:',
    `  - package: ./node_modules/${PACKAGE}/plugin/karpenter-soci-validation.js`,
    '    version: 0.0.0',
    '    class: KarpenterSociValidation',
    '',
  ].join('\n');
}

describe('the packed package', () => {
  test('holds the compiled library, declarations, plugin, bin and LICENSE, and no sources, tests, fixtures or dist', () => {
    const files = pack.files.map((f) => f.path);
    expect(files).toEqual(
      expect.arrayContaining([
        'LICENSE',
        'README.md',
        'package.json',
        'bin/karpenter-soci-userdata.js',
        'build/lib/index.js',
        'build/lib/index.d.ts',
        'build/lib/validation/plugin.d.ts',
        'build/imports/karpenter.sh.js',
        'build/imports/karpenter.sh.schema.json',
        'build/imports/karpenter.k8s.aws.schema.json',
        'build/imports/node.eks.aws.schema.json',
        'build/scripts/userdata.js',
        'plugin/karpenter-soci-validation.js',
      ]),
    );
    // The example app (build/main.js) and the build stamp are this repository's, not the library's.
    const unwanted = files.filter(
      (f) => /(^|\/)(test|fixtures|dist|node_modules)\//.test(f) || /\.test\.|\.tsbuildinfo$|^build\/main\.|\.sources\.json$/.test(f) || (f.endsWith('.ts') && !f.endsWith('.d.ts')),
    );
    expect(unwanted).toEqual([]);
    expect(fs.readFileSync(path.join(REPO_ROOT, 'LICENSE'), 'utf8')).toContain('Apache License\n                           Version 2.0, January 2004');
    console.log(`npm pack: ${pack.filename}, ${pack.size} bytes packed, ${pack.unpackedSize} unpacked, ${pack.entryCount} files`);
  });

  test('declares cdk8s, constructs and cdk8s-plus-28 as peers with ranges, so the app keeps one copy of each', () => {
    const installed = JSON.parse(fs.readFileSync(path.join(appDir, 'node_modules', PACKAGE, 'package.json'), 'utf8'));
    expect(installed.dependencies).not.toHaveProperty('cdk8s');
    expect(installed.dependencies).not.toHaveProperty('constructs');
    expect(installed.peerDependencies).toEqual({
      'cdk8s': expect.stringMatching(/^\^2\./),
      'constructs': expect.stringMatching(/^\^10\./),
      'cdk8s-plus-28': expect.stringMatching(/^\^2\./),
    });
    expect(installed.peerDependenciesMeta).toBeUndefined();
    // npm installed the peers beside the app's own packages, not under the library
    expect(fs.existsSync(path.join(appDir, 'node_modules', 'cdk8s-plus-28', 'package.json'))).toBe(true);
    expect(fs.existsSync(path.join(appDir, 'node_modules', PACKAGE, 'node_modules'))).toBe(false);
  });

  test('needs neither tsx nor TypeScript at run time', () => {
    const loaders = /require\("(tsx|ts-node|typescript)(\/[^"]*)?"\)/;
    const compiled = pack.files.map((f) => f.path).filter((f) => f.endsWith('.js'));
    const offenders = compiled.filter((f) => loaders.test(fs.readFileSync(path.join(appDir, 'node_modules', PACKAGE, f), 'utf8')));
    expect(offenders).toEqual([]);
  });
});

describe('a team app using it', () => {
  test('plain node requires it by name: enums, a subclass with another default, two clusters, the plugin subpath', () => {
    expectSuccess(results.node);
    const { exports, objects } = JSON.parse(results.node.stdout) as { exports: string[]; objects: Record<string, KubeObject[]> };
    expect(exports).toEqual(
      expect.arrayContaining(['Ec2NodeClass', 'NodePool', 'SociBootstrap', 'runSynth', 'loadClusters', 'renderGitOpsFiles', 'ImagePullBenchmark', 'NodePoolSpecTemplateSpecTaintsEffect', 'Ec2NodeClassSpecAmiFamily']),
    );
    for (const cluster of ['blue', 'green']) {
      const pool = objects[cluster]!.find((o) => o.kind === 'NodePool')!;
      expect(pool.spec.template.spec.requirements[0]).toEqual({ key: 'karpenter.sh/capacity-type', operator: 'In', values: ['spot'] });
      const nodeClass = objects[cluster]!.find((o) => o.kind === 'EC2NodeClass')!;
      expect(nodeClass.spec.role).toBe(`KarpenterNodeRole-${cluster}`);
    }
  });

  test("type-checks with cdk8s init's tsconfig, and with strict, exactOptionalPropertyTypes and noUncheckedIndexedAccess", () => {
    // One tsc run serves both: tsconfig.strict.json is init's tsconfig plus flags that only add errors, so an
    // error under init's own settings would show here too, and no error may show but the known one below.
    const diagnostics = results.tscStrict.stdout.split(/\n(?=\S)/).filter((block) => / error TS\d+:/.test(block));
    expect(diagnostics.filter((block) => block.includes(`node_modules/${PACKAGE}/`))).toEqual([]);
    // cdk8s-plus-28's own declarations (Resource.resourceName is `string | undefined` where its interfaces say
    // `string`) do not compile under exactOptionalPropertyTypes; a team app with that flag needs skipLibCheck
    // for them. Every other file, this package's declarations included, must be clean.
    const known = /^node_modules\/cdk8s-plus-28\/lib\/[\w-]+\.d\.ts\(\d+,\d+\): error TS2420: Class '\w+' incorrectly implements interface '\w+'\.\n\s+Types of property 'resourceName' are incompatible\.\n\s+Type 'string \| undefined' is not assignable to type 'string'\./;
    expect(diagnostics.filter((block) => !known.test(block))).toEqual([]);
    // tsc failed only for what it reported (not, say, for a missing tsconfig)
    expect(results.tscStrict.code === 0).toBe(diagnostics.length === 0);
    expect(results.tscStrict.stderr).toBe('');
  });

  test("its declarations bring in neither ajv's nor the CEL library's types, so a team's type-check stays small", () => {
    // tsc --listFiles: every file of the program, one absolute path per line
    const files = results.tscStrict.stdout.split('\n').filter((line) => line.startsWith('/'));
    expect(files).toContainEqual(expect.stringMatching(new RegExp(`/node_modules/${PACKAGE}/build/lib/index\\.d\\.ts$`)));
    expect(files.filter((file) => /\/node_modules\/(ajv|@bufbuild)\//.test(file))).toEqual([]);
  });

  test('`cdk8s synth` runs the app under ts-node and the validation plugin from node_modules', () => {
    expectSuccess(results.cdk8sSynth);
    expect(`${results.cdk8sSynth.stdout}${results.cdk8sSynth.stderr}`).toMatch(/karpenter-soci: 4 object\(s\) in 2 cluster\(s\), 0 error\(s\)/);
    for (const cluster of ['blue', 'green']) {
      const objects = readObjects(path.join(appDir, 'dist', `${cluster}.k8s.yaml`));
      const nodeClass = objects.find((o) => o.kind === 'EC2NodeClass')!;
      const pool = objects.find((o) => o.kind === 'NodePool')!;
      // THEN the subclasses' defaults apply, and the props given win over them
      expect(nodeClass.spec.blockDeviceMappings[0].ebs.volumeSize).toBe('250Gi');
      expect(nodeClass.spec.instanceStorePolicy).toBe('RAID0');
      expect(pool.spec.disruption.consolidationPolicy).toBe('WhenEmpty');
      expect(pool.spec.template.spec.taints).toEqual([{ key: 'team.example.com/builds', value: 'true', effect: 'NoSchedule' }]);
    }
  });

  test('tsx runs the same app to the same manifests', () => {
    expectSuccess(results.tsx);
    for (const cluster of ['blue', 'green']) {
      expect(fs.readFileSync(path.join(appDir, 'out-tsx', `${cluster}.k8s.yaml`), 'utf8')).toBe(fs.readFileSync(path.join(appDir, 'dist', `${cluster}.k8s.yaml`), 'utf8'));
    }
  });

  test('the bin command prints launch-template user data, and refuses an unknown flag', () => {
    expectSuccess(results.bin);
    expect(results.bin.stdout).toMatch(/^MIME-Version: 1\.0\n/);
    expect(results.bin.stdout).toContain('concurrent_download_chunk_size = "16mb"');
    expect(results.binBadFlag.code).toBe(2);
    expect(results.binBadFlag.stderr).toContain('--bogus: unknown flag');
  });
});
