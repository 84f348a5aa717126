/**
 * Property-based check of the constructs against the validator: for any
 * props, building the app either throws ConfigError or synthesizes manifests
 * that pass the CRD schemas, the CEL rules and the structural checks.
 * Never a TypeError, never an invalid manifest. The generators include the
 * inputs behind past node-safety defects: user parts with lines Karpenter's
 * merge reads as its boundary, insecure mirrors without pins, URLs with
 * credentials, system directories as SOCI root, huge and fractional sizes and
 * long values; a refusal must show long values cut and never a password.
 * FUZZ_RUNS raises the count; FUZZ_SEED picks another seed (the default is fixed, so CI never flips).
 */
import { App, Chart, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Ec2NodeClassSpecAmiFamily, Ec2NodeClassSpecInstanceStorePolicy } from '../../imports/karpenter.k8s.aws';
import { NodePoolSpecDisruptionConsolidationPolicy, NodePoolSpecTemplateSpecTaintsEffect } from '../../imports/karpenter.sh';
import { ChunkSize, DEFAULT_MANUAL_SOCI_ROOT, SociBootstrap } from '../../lib/bootstrap';
import { Ec2NodeClass, NodePool, Requirement, WellKnownLabels } from '../../lib/constructs';
import { ConfigError, describeValue, MAX_SHOWN_CHARS } from '../../lib/errors';
import { UserDataPart } from '../../lib/userdata';
import { SociGuard, validateManifests } from '../../lib/validation';

const RUNS = Number(process.env.FUZZ_RUNS ?? 1000);
/**
 * A fixed seed by default: some outcomes (synth-time findings) are rare enough that an
 * unseeded run of 1,000 can miss them, and CI must not flip. FUZZ_SEED explores others.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20261204);
/** Findings that mean the manifest itself is invalid (the guards are judgement calls and may fire). */
const INVALID_MANIFEST_RULES = new Set(['schema', 'cel', 'node-config-schema', 'user-data-format', 'node-class-ref', 'duplicate-name', 'soci-config', 'containerd-config-toml', 'soci-manual-install']);

const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined, freq: 3 });
/** Mostly valid values with a few bad ones, so that both outcomes are common across all fields. */
const mostly = <T>(valid: fc.Arbitrary<T>, invalid: fc.Arbitrary<T>) => fc.oneof({ arbitrary: valid, weight: 30 }, { arbitrary: invalid, weight: 1 });

const count = mostly(fc.oneof(fc.constantFrom(-1, 1, 10, 20), fc.integer({ min: 1, max: 200 })), fc.oneof(fc.constantFrom(0, -2), fc.double({ min: -2, max: 50, noNaN: true })));
/** Sizes in SOCI's grammar, from exact ones to those that floating point would alter (huge, fractional bytes). */
const sociSizeText = fc.oneof(
  fc.constantFrom('16mb', '1.5mb', '512kb', '', '0', '9007199254740991b'),
  fc.tuple(fc.bigInt({ min: 0n, max: 10n ** 22n }), fc.constantFrom('', '.1', '.5', '.0000001'), fc.constantFrom('b', 'kb', 'mb', 'gb', '')).map(([n, fraction, unit]) => `${n}${fraction}${unit}`),
);
const chunk = mostly(
  fc.oneof(fc.constant(() => ChunkSize.wholeLayer()), fc.integer({ min: 1, max: 64 }).map((n) => () => ChunkSize.mebibytes(n))),
  fc.oneof(
    fc.integer({ min: -2, max: 0 }).map((n) => () => ChunkSize.mebibytes(n)),
    fc.double({ min: 0.1, max: 3, noNaN: true }).map((n) => () => ChunkSize.kibibytes(n)),
    fc.constantFrom('9007199254740993b', '99999999999999999999gb', '0.1b').map((text) => () => ChunkSize.of(text)),
    sociSizeText.map((text) => () => ChunkSize.of(text)),
  ),
);
const tuning = maybe(
  fc.record(
    {
      maxConcurrentDownloads: count,
      maxConcurrentDownloadsPerImage: count,
      maxConcurrentUnpacks: count,
      maxConcurrentUnpacksPerImage: count,
      discardUnpackedLayers: fc.boolean(),
      concurrentDownloadChunkSize: chunk,
    },
    { requiredKeys: [] },
  ),
);
/** A long text of `length` characters: names, URLs and parts that errors must cut. */
const longText = (length: number) => 'a'.repeat(length);
const SHA = 'ab'.repeat(32);
/** A password that must never appear in an error message. */
const SECRET = 's3cr3t-fuzz';
const manual = fc.record({
  t: tuning,
  version: mostly(fc.constantFrom(undefined, '0.15.0', '0.11.0'), fc.constantFrom('0.9.0', 'v0.15.0', 'latest')),
  insecure: fc.oneof({ arbitrary: fc.constant(false), weight: 3 }, { arbitrary: fc.constant(true), weight: 1 }),
  pins: fc.constantFrom<{ amd64?: string; arm64?: string } | undefined>(undefined, { amd64: SHA, arm64: SHA }, { amd64: SHA }, { arm64: SHA }),
  mirror: fc.oneof(
    { arbitrary: fc.constantFrom(undefined, 'https://mirror.example.com/soci', 'https://mirror.example.com/npm/@soci/releases'), weight: 3 },
    { arbitrary: fc.constantFrom('http://mirror.local', 'ftp://x', 'https://x/', `https://deploy:${SECRET}@mirror.example.com/soci`, `https://${SECRET}@mirror.example.com/soci`, `http://u:${SECRET}@mirror.local/x y`, `https://mirror.example.com/${longText(5000)}`), weight: 1 },
  ),
  sociRoot: mostly(
    fc.constantFrom(undefined, DEFAULT_MANUAL_SOCI_ROOT, '/var/lib/soci-snapshotter-grpc', '/mnt/soci', '/opt/soci/data'),
    fc.constantFrom('/', '/etc', '/proc', '/sys', '/dev', '/usr', '/boot', '/bin', '/lib64', '/var', '/var/lib', '/var/lib/containerd', '/run', '/tmp', '/root', '/home',
      '/var/lib/kubelet/soci', '/var/lib/containerd/io.containerd.content.v1.content', '/tmp/soci', `/var/lib/${longText(300)}`),
  ),
});
const bootstrap = fc.oneof(
  fc.constant(undefined),
  tuning.map((t) => () => SociBootstrap.native({ tuning: resolveChunk(t) })),
  manual.map(({ t, version, insecure, pins, mirror, sociRoot }) => () =>
    SociBootstrap.manualInstall({ tuning: resolveChunk(t), sociVersion: version, allowInsecureMirror: insecure, sha256: pins, mirrorBaseUrl: mirror, sociRoot })),
  tuning.map((t) => () => SociBootstrap.bottlerocket({ tuning: resolveChunk(t) })),
  fc.constant(() => SociBootstrap.amiDefault()),
);
/** User parts, among them lines that Karpenter's merge would read as its MIME boundary "//", and long ones. */
const userPart = mostly(
  fc.constantFrom('#!/bin/bash\necho before\n', '#!/bin/bash\ncat <<EOF\n  --// indented\nEOF\n').map((body) => () => UserDataPart.shellScript(body)),
  fc.oneof(
    fc.constantFrom('--//', '--//--', '--//\nContent-Type: text/x-shellscript\n\n#!/bin/sh\nid', '--// trailing').map((line) => () => UserDataPart.shellScript(`#!/bin/bash\ncat <<EOF\n${line}\nEOF\n`)),
    fc.constantFrom('--//', '--//--').map((line) => () => UserDataPart.raw('text/cloud-config', `#cloud-config\n${line}\nruncmd: []\n`)),
    fc.integer({ min: 1, max: 20_000 }).map((n) => () => UserDataPart.shellScript(`#!/bin/bash\n# ${longText(n)}\n`)),
  ),
);
const alias = mostly(fc.constantFrom('al2023@latest', 'al2023@v20260724', 'bottlerocket@v1.50.0', 'bottlerocket@latest'), fc.constantFrom('al2@latest', 'windows2022@latest', 'windows2022@v1', 'ubuntu@1', 'al2023'));
const duration = mostly(fc.constantFrom('720h', '30m', '1h30m', '24h'), fc.constantFrom('Never', '1d', '', '-1h', '10'));

const props = fc.record({
  name: mostly(fc.constantFrom('soci', 'soci-snapshotter', 'gpu-pool'), fc.constantFrom('Bad_Name', 'a'.repeat(300), '')),
  identity: mostly(
    fc.constantFrom<Record<string, string>>({ role: 'KarpenterNodeRole-x' }, { instanceProfile: 'Profile-x' }),
    fc.constantFrom<Record<string, string>>({}, { role: '' }, { instanceProfile: '' }, { role: 'R', instanceProfile: 'P' }, { role: '', instanceProfile: 'P' }, { role: 'R', instanceProfile: '' }),
  ),
  alias,
  amiFamily: fc.option(fc.constantFrom(...Object.values(Ec2NodeClassSpecAmiFamily)), { nil: undefined, freq: 10 }),
  raid0: fc.boolean(),
  throughput: maybe(mostly(fc.integer({ min: 125, max: 1000 }), fc.integer({ min: -1, max: 2000 }))),
  sizeGiB: maybe(mostly(fc.integer({ min: 20, max: 59000 }), fc.oneof(fc.integer({ min: -1, max: 0 }), fc.integer({ min: 59001, max: 70000 })))),
  bootstrap,
  userDataAfter: maybe(userPart),
  weight: maybe(mostly(fc.integer({ min: 1, max: 100 }), fc.integer({ min: -5, max: 120 }))),
  expireAfter: maybe(duration),
  terminationGracePeriod: maybe(duration),
  consolidateAfter: maybe(duration),
  consolidationPolicy: maybe(fc.constantFrom(...Object.values(NodePoolSpecDisruptionConsolidationPolicy))),
  taintEffect: maybe(fc.constantFrom(...Object.values(NodePoolSpecTemplateSpecTaintsEffect))),
  taintKey: mostly(fc.constantFrom('soci', 'example.com/soci'), fc.constantFrom('', 'bad key', '-x')),
  cpuMin: maybe(mostly(fc.integer({ min: 0, max: 64 }), fc.oneof(fc.constantFrom(-1, 1.5)))),
  limit: maybe(mostly(fc.oneof(fc.integer({ min: 0, max: 1000 }), fc.constantFrom('1000', '100Gi')), fc.constantFrom('lots', '', -10))),
  label: maybe(mostly(fc.constantFrom('team', 'example.com/x', 'karpenter.sh/capacity-type'), fc.constantFrom('karpenter.sh/nodepool', 'kubernetes.io/hostname', 'karpenter.k8s.aws/custom'))),
  acknowledge: fc.subarray(Object.values(SociGuard)),
});

type Thunk<T> = T | (() => T);
function resolveChunk(t: Record<string, unknown> | undefined): any {
  if (!t) return undefined;
  const c = t.concurrentDownloadChunkSize as Thunk<ChunkSize> | undefined;
  return { ...t, concurrentDownloadChunkSize: typeof c === 'function' ? c() : c };
}

function build(p: any): any[] {
  const app = new App({ outdir: outdir });
  const chart = new Chart(app, 'fuzz', { disableResourceNameHashes: true });
  const nodeClass = new Ec2NodeClass(chart, 'Nodes', {
    metadata: { name: p.name },
    ...p.identity,
    discoveryTag: 'fuzz',
    amiSelectorTerms: [{ alias: p.alias }],
    amiFamily: p.amiFamily,
    instanceStorePolicy: p.raid0 ? Ec2NodeClassSpecInstanceStorePolicy.RAID0 : undefined,
    dataVolume: p.throughput !== undefined || p.sizeGiB !== undefined ? { throughputMiBps: p.throughput, sizeGiB: p.sizeGiB } : undefined,
    bootstrap: typeof p.bootstrap === 'function' ? p.bootstrap() : p.bootstrap,
    userDataAfter: p.userDataAfter ? [p.userDataAfter()] : undefined,
    acknowledge: p.acknowledge,
  });
  new NodePool(chart, 'Pool', {
    metadata: { name: p.name },
    nodeClass,
    weight: p.weight,
    expireAfter: p.expireAfter,
    terminationGracePeriod: p.terminationGracePeriod,
    disruption: p.consolidateAfter || p.consolidationPolicy ? { consolidateAfter: p.consolidateAfter, consolidationPolicy: p.consolidationPolicy } : undefined,
    taints: p.taintEffect ? [{ key: p.taintKey, effect: p.taintEffect }] : undefined,
    requirements: p.cpuMin !== undefined ? [Requirement.greaterThan(WellKnownLabels.INSTANCE_CPU, p.cpuMin)] : undefined,
    limits: p.limit !== undefined ? { cpu: p.limit } : undefined,
    labels: p.label ? { [p.label]: 'v' } : undefined,
    acknowledge: p.acknowledge,
  });
  return Testing.synth(chart);
}

/**
 * The constructs' synth-time validation (a SOCI guard, for example) fails cdk8s's synth with
 * one formatted finding per line: `[construct path] ERROR [rule] ...`. That is a clear error too.
 */
function isSynthValidationError(err: unknown): boolean {
  if (!(err instanceof Error) || !err.message.startsWith('Validation failed with the following errors:')) return false;
  const lines = err.message.split('\n').slice(1);
  return lines.length > 0 && lines.every((line) => /^\s+\[[^\]]+\] ERROR \[[a-z-]+\] /.test(line));
}

let outdir: string;
beforeAll(() => {
  outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'soci-fuzz-'));
});
afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

test(`GIVEN random construct props (${RUNS} runs, seed ${SEED}) WHEN synthesized THEN a clear error (ConfigError, or a synth validation finding) or manifests that pass schema and CEL`, () => {
  const outcomes = { valid: 0, configError: 0, synthError: 0 };
  const refusedFields = new Set<string>();
  fc.assert(
    fc.property(props, (p) => {
      let manifests: any[];
      try {
        manifests = build(p);
      } catch (err) {
        // A TypeError or any other crash fails the property.
        if (err instanceof ConfigError) {
          // The refusal shows a long value cut, and never a password.
          expect(describeValue(err.value).length).toBeLessThanOrEqual(MAX_SHOWN_CHARS + 30);
          expect(err.message).not.toContain(SECRET);
          outcomes.configError++;
          refusedFields.add(`${err.where}: ${err.field.replace(/ line \d+$/, '')}`);
        }
        else if (isSynthValidationError(err)) outcomes.synthError++;
        else throw err;
        return;
      }
      const invalid = validateManifests(manifests).errors.filter((e) => INVALID_MANIFEST_RULES.has(e.rule));
      expect(invalid).toEqual([]);
      outcomes.valid++;
    }),
    { numRuns: RUNS, seed: SEED },
  );
  // Both branches must be exercised, or the generator is too narrow to mean anything.
  expect(outcomes.valid).toBeGreaterThan(RUNS / 20);
  expect(outcomes.configError).toBeGreaterThan(RUNS / 20);
  expect(outcomes.synthError).toBeGreaterThan(0);
  // The generators reach the refusals of boundary lines, insecure mirrors, credentials, system roots and inexact sizes.
  if (RUNS >= 1000) {
    expect([...refusedFields]).toEqual(expect.arrayContaining([
      'UserDataPart: body',
      'SociBootstrap.manualInstall: allowInsecureMirror',
      'SociBootstrap.manualInstall: mirrorBaseUrl',
      'SociBootstrap.manualInstall: sociRoot',
      'ChunkSize.of: size',
    ]));
  }
}, 120_000);

/**
 * Props that Karpenter's CRD rejects although no props check of the
 * constructs names them: the CRD conformance check at construction turns each
 * into a ConfigError that names the construct path and the field.
 */
const CRD_ONLY_CASES: ReadonlyArray<[string, Record<string, unknown>, Record<string, unknown>, string]> = [
  ['a Windows alias with a pinned version', { role: 'R', amiSelectorTerms: [{ alias: 'windows2022@v1' }] }, {}, 'spec.amiSelectorTerms'],
  ['the restricted label karpenter.sh/nodepool', { role: 'R' }, { labels: { 'karpenter.sh/nodepool': 'v' } }, 'spec.template.metadata.labels'],
  ['the restricted label kubernetes.io/hostname', { role: 'R' }, { labels: { 'kubernetes.io/hostname': 'v' } }, 'spec.template.metadata.labels'],
  ['an unknown label in the karpenter.sh domain', { role: 'R' }, { labels: { 'karpenter.sh/custom': 'v' } }, 'spec.template.metadata.labels'],
  ['an unknown label in the karpenter.k8s.aws domain', { role: 'R' }, { labels: { 'karpenter.k8s.aws/custom': 'v' } }, 'spec.template.metadata.labels'],
  ['a negative Gt requirement', { role: 'R' }, { requirements: [Requirement.greaterThan(WellKnownLabels.INSTANCE_CPU, -1)] }, 'spec.template.spec.requirements'],
  ['a fractional Gt requirement', { role: 'R' }, { requirements: [Requirement.greaterThan(WellKnownLabels.INSTANCE_CPU, 1.5)] }, 'spec.template.spec.requirements'],
  ['a data volume above the schema limit', { role: 'R', dataVolume: { sizeGiB: 65000 } }, {}, 'spec.blockDeviceMappings[0].ebs.volumeSize'],
  ['an empty taint key', { role: 'R' }, { taints: [{ key: '', effect: NodePoolSpecTemplateSpecTaintsEffect.NO_SCHEDULE }] }, 'spec.template.spec.taints[0].key'],
  ['a taint key with a space', { role: 'R' }, { taints: [{ key: 'bad key', effect: NodePoolSpecTemplateSpecTaintsEffect.NO_SCHEDULE }] }, 'spec.template.spec.taints[0].key'],
];

describe('props only the CRD rejects', () => {
  test.each(CRD_ONLY_CASES)('GIVEN %s WHEN constructed THEN a ConfigError names the path and the field', (_name, nodeClassProps, nodePoolProps, field) => {
    const chart = new Chart(new App({ outdir }), 'gap');
    let error: unknown;
    try {
      const nodeClass = new Ec2NodeClass(chart, 'Nodes', { discoveryTag: 'fuzz', ...nodeClassProps } as any);
      new NodePool(chart, 'Pool', { nodeClass, ...nodePoolProps } as any);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).where).toMatch(/^gap\/(Nodes|Pool)$/);
    expect((error as ConfigError).field.startsWith(field)).toBe(true);
  });
});
