/**
 * Karpenter's AL2023 merge, emulated with independent parsers: Python's email
 * package reads our MIME (as Go's net/mail + mime/multipart do in Karpenter
 * v1.14.1 mime.NewArchive), every part keeps only its Content-Type, the parts
 * are written again under the boundary "//" in the byte layout of Go's
 * multipart.Writer (mime.Archive.Serialize, carriage returns removed) with
 * Karpenter's own NodeConfig appended, and cloud-init's UserDataProcessor
 * reads the result, as it does on the node.
 */
import { spawnSync } from 'child_process';
import { SociBootstrap } from '../../lib/bootstrap';
import { ConfigError } from '../../lib/errors';
import { UserDataPart } from '../../lib/userdata';
import { BASE_BOUNDARY } from '../../lib/userdata/multipart';
import { readNodeadmUserData } from '../../lib/validation';
import { SCENARIOS } from '../bootstrap/scenarios';
import { PYTHON } from '../support/python';

/** A NodeConfig in the shape Karpenter appends (pkg/providers/amifamily/bootstrap/nodeadm.go). */
const KARPENTER_NODE_CONFIG = `apiVersion: node.eks.aws/v1alpha1
kind: NodeConfig
metadata:
  creationTimestamp: null
spec:
  cluster:
    apiServerEndpoint: https://0123456789ABCDEF0123456789ABCDEF.gr7.us-west-2.eks.amazonaws.com
    certificateAuthority: Y2EtYnVuZGxlCg==
    cidr: 10.100.0.0/16
    name: ml-platform
  containerd: {}
  instance:
    localStorage: {}
  kubelet:
    config:
      clusterDNS:
      - 10.100.0.10
      maxPods: 58
      registerWithTaints:
      - effect: NoExecute
        key: karpenter.sh/unregistered
    flags:
    - --node-labels="karpenter.sh/capacity-type=on-demand,karpenter.sh/nodepool=default"
`;

const PROGRAM = String.raw`
import json, sys, email
from cloudinit.user_data import UserDataProcessor

def karpenter_merge(text, node_config):
    msg = email.message_from_string(text)
    entries = [(p.get("Content-Type"), p.get_payload()) for p in msg.get_payload()]
    entries.append(("application/node.eks.aws", node_config))
    out = 'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="//"\n\n'
    for i, (content_type, content) in enumerate(entries):
        out += ("" if i == 0 else "\n") + "--//\nContent-Type: " + content_type + "\n\n" + content
    return out + "\n--//--\n", len(entries) - 1

def leaves(text):
    return [{"contentType": p.get_content_type(), "body": p.get_payload(decode=True).decode("utf-8")}
            for p in UserDataProcessor({}).process(text).walk() if not p.is_multipart()]

request = json.load(sys.stdin)
result = []
for text in request["documents"]:
    merged, count = karpenter_merge(text, request["nodeConfig"])
    result.append({"original": leaves(text), "parsedParts": count, "merged": merged, "mergedParts": leaves(merged)})
json.dump(result, sys.stdout)
`;

interface Leaf {
  readonly contentType: string;
  readonly body: string;
}

interface MergeResult {
  /** The parts cloud-init reads from our user data as rendered. */
  readonly original: Leaf[];
  /** The parts Python's email package read before the merge. */
  readonly parsedParts: number;
  readonly merged: string;
  /** The parts cloud-init reads after Karpenter's merge. */
  readonly mergedParts: Leaf[];
}

function mergeWithKarpenter(documents: string[]): MergeResult[] {
  const run = spawnSync(PYTHON, ['-c', PROGRAM], { input: JSON.stringify({ documents, nodeConfig: KARPENTER_NODE_CONFIG }), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (run.status !== 0) throw new Error(`python failed (${run.status}): ${run.stderr}`);
  return JSON.parse(run.stdout) as MergeResult[];
}

/** MIME as the renderer writes it, but without any check of the parts: what an unguarded builder would emit. */
function unguardedMime(parts: readonly Leaf[]): string {
  const body = parts.map((p) => `--${BASE_BOUNDARY}\nContent-Type: ${p.contentType}\n\n${p.body.replace(/\n$/, '')}\n`).join('');
  return `MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="${BASE_BOUNDARY}"\n\n${body}--${BASE_BOUNDARY}--\n`;
}

/** A heredoc that smuggles a second script after a boundary line, and one that ends the document. */
const INJECTIONS = {
  'split': '#!/bin/bash\ncat >/etc/motd <<\'EOF\'\n--//\nContent-Type: text/x-shellscript; charset="us-ascii"\n\n#!/bin/bash\necho "runs as root" >/root/owned\nEOF\n',
  'truncate': '#!/bin/bash\ncat >/etc/motd <<\'EOF\'\n--//--\nEOF\n',
  'split with trailing blank': '#!/bin/bash\ncat >/etc/motd <<\'EOF\'\n--// \nContent-Type: text/x-shellscript\n\n#!/bin/bash\ntrue\nEOF\n',
} as const;

const mimeScenarios = SCENARIOS.filter((s) => s.format === 'mime');
const injectionNames = Object.keys(INJECTIONS) as (keyof typeof INJECTIONS)[];
const SHELL = 'text/x-shellscript; charset="us-ascii"';

let scenarioResults: MergeResult[];
let injectionResults: MergeResult[];
let injectionTexts: string[];

beforeAll(() => {
  // GIVEN every golden MIME scenario, and user data that an unguarded builder would render for each injection
  const scenarioTexts = mimeScenarios.map((s) => s.render()!);
  const fastImagePull = UserDataPart.nodeConfig({ featureGates: { FastImagePull: true } });
  injectionTexts = injectionNames.map((name) => unguardedMime([
    { contentType: fastImagePull.contentType, body: fastImagePull.body },
    { contentType: SHELL, body: INJECTIONS[name] },
  ]));
  // WHEN Karpenter's merge is emulated on all of them, in one Python process
  const results = mergeWithKarpenter([...scenarioTexts, ...injectionTexts]);
  scenarioResults = results.slice(0, scenarioTexts.length);
  injectionResults = results.slice(scenarioTexts.length);
});

describe.each(mimeScenarios.map((s, i) => [s.golden, i] as const))('%s through Karpenter\'s merge', (_name, i) => {
  test('cloud-init reads the same parts, unchanged and in order, followed by Karpenter\'s NodeConfig', () => {
    const { original, parsedParts, mergedParts, merged } = scenarioResults[i];
    // THEN the merge neither splits nor drops a part
    expect(mergedParts).toHaveLength(original.length + 1);
    expect(parsedParts).toBe(original.length);
    expect(mergedParts.slice(0, -1)).toEqual(original);
    // AND Karpenter's NodeConfig arrives whole, as the last part
    expect(mergedParts.at(-1)).toEqual({ contentType: 'application/node.eks.aws', body: KARPENTER_NODE_CONFIG });
    expect(merged.match(/^--\/\/$/gm)).toHaveLength(original.length + 1);
  });
});

describe.each(injectionNames)('the %s injection', (name) => {
  const body = INJECTIONS[name];

  test('is refused by the builder, through the factory and through a forged part', () => {
    expect(() => UserDataPart.shellScript(body)).toThrow(ConfigError);
    const forged = { contentType: SHELL, body } as unknown as UserDataPart;
    expect(() => SociBootstrap.native().renderUserData({ partsAfter: [forged] })).toThrow('partsAfter[0].body line 3');
  });

  test('is reported by the validator in the user data as written', () => {
    const text = injectionTexts[injectionNames.indexOf(name)];
    expect(readNodeadmUserData(text).problems.join('\n')).toContain('part 2 line 3');
  });

  test('unguarded, it WOULD change the parts cloud-init runs once Karpenter has merged the user data', () => {
    const { original, mergedParts } = injectionResults[injectionNames.indexOf(name)];
    // GIVEN our own boundary: before the merge, the part is whole
    expect(original).toHaveLength(2);
    expect(original[1].body).toBe(body.replace(/\n$/, ''));
    // THEN after the merge the part count is no longer 2 + Karpenter's NodeConfig
    expect(mergedParts).not.toHaveLength(original.length + 1);
    if (name === 'truncate') {
      // the document ends inside the heredoc: Karpenter's NodeConfig never reaches nodeadm
      expect(mergedParts.map((p) => p.contentType)).toEqual(['application/node.eks.aws', 'text/x-shellscript']);
      expect(mergedParts.some((p) => p.body.includes('karpenter.sh/unregistered'))).toBe(false);
    } else {
      // the heredoc's text becomes a script of its own, which cloud-init runs as root
      expect(mergedParts.filter((p) => p.contentType === 'text/x-shellscript').length).toBeGreaterThan(1);
    }
  });
});

test('the split injection hands cloud-init the smuggled script as its own part', () => {
  const { mergedParts } = injectionResults[injectionNames.indexOf('split')];
  expect(mergedParts.map((p) => p.body)).toContainEqual('#!/bin/bash\necho "runs as root" >/root/owned\nEOF');
});
