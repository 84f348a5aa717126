/**
 * Every golden scenario, rendered and then read back by independent tools:
 * Python's email package and cloud-init for the MIME, tomllib for every TOML
 * document, PyYAML for NodeConfig, bash -n and shellcheck for every script.
 */
import { SOCI_IMAGE_SERVICE_ENDPOINT, SOCI_SOCKET } from '../../lib/bootstrap';
import { expectMatchesGolden } from '../golden/golden-file';
import { inspectWithPython, ParsedMime, ParsedPart } from '../support/python';
import { unknownBottlerocketSociSettings, unknownSociKeys } from './reference-keys';
import { MIRROR, SCENARIOS, SHA_AMD64, SHA_ARM64 } from './scenarios';
import { lintScripts, ShellFindings } from './shell-lint';

const SHELL = 'text/x-shellscript';
const NODE_CONFIG = 'application/node.eks.aws';

interface RenderedScenario {
  readonly text: string;
  readonly mime?: ParsedMime;
  readonly bottlerocket?: any;
  readonly nodeConfigs: any[];
  readonly scripts: string[];
  /** config.toml from each script's heredoc, parsed. */
  readonly sociConfigs: any[];
  /** containerd.config of each NodeConfig, parsed. */
  readonly containerdConfigs: { text: string; value: any }[];
}

const rendered: Record<string, RenderedScenario> = {};
let shell: ShellFindings;

/** config.toml as the scripts write it: the body of the SOCI_CONFIG_TOML heredoc. */
function heredocConfig(script: string): string | undefined {
  return /<<'SOCI_CONFIG_TOML'\n([\s\S]*?)\nSOCI_CONFIG_TOML\n/.exec(script)?.[1];
}

beforeAll(() => {
  // GIVEN every scenario rendered once
  const texts = Object.fromEntries(SCENARIOS.map((s) => [s.golden, s.render() ?? '']));
  const mimeNames = SCENARIOS.filter((s) => s.format === 'mime').map((s) => s.golden);
  const brNames = SCENARIOS.filter((s) => s.format === 'bottlerocket').map((s) => s.golden);

  // WHEN Python parses them, in three batched calls
  const first = inspectWithPython({ mime: mimeNames.map((n) => texts[n]), toml: brNames.map((n) => texts[n]) });
  const partsOf = (i: number, type: string) => first.mime[i].parts.filter((p: ParsedPart) => p.contentType === type).map((p) => p.body);
  const scripts = mimeNames.map((_, i) => partsOf(i, SHELL));
  const nodeConfigTexts = mimeNames.map((_, i) => partsOf(i, NODE_CONFIG));
  const second = inspectWithPython({
    yaml: nodeConfigTexts.flat(),
    toml: scripts.flat().map((s) => heredocConfig(s)).filter((t): t is string => t !== undefined),
  });
  const containerdTexts = second.yaml.map((doc) => doc?.spec?.containerd?.config).filter((t): t is string => typeof t === 'string');
  const third = inspectWithPython({ toml: containerdTexts });

  let yamlIndex = 0;
  let sociIndex = 0;
  let containerdIndex = 0;
  mimeNames.forEach((name, i) => {
    const nodeConfigs = nodeConfigTexts[i].map(() => second.yaml[yamlIndex++]);
    const sociConfigs = scripts[i].filter((s) => heredocConfig(s) !== undefined).map(() => second.toml[sociIndex++]);
    const containerdConfigs = nodeConfigs.filter((nc) => typeof nc?.spec?.containerd?.config === 'string')
      .map((nc) => ({ text: nc.spec.containerd.config, parsed: third.toml[containerdIndex++] }));
    for (const parsed of [...sociConfigs, ...containerdConfigs.map((c) => c.parsed)]) {
      if (!parsed.ok) throw new Error(`${name}: tomllib rejected a document: ${parsed.error}`);
    }
    rendered[name] = {
      text: texts[name],
      mime: first.mime[i],
      nodeConfigs,
      scripts: scripts[i],
      sociConfigs: sociConfigs.map((c) => (c as any).value),
      containerdConfigs: containerdConfigs.map((c) => ({ text: c.text, value: (c.parsed as any).value })),
    };
  });
  brNames.forEach((name, i) => {
    const parsed = first.toml[i];
    rendered[name] = { text: texts[name], bottlerocket: parsed.ok ? parsed.value : parsed, nodeConfigs: [], scripts: [], sociConfigs: [], containerdConfigs: [] };
  });
  shell = lintScripts(Object.fromEntries(mimeNames.flatMap((name) => rendered[name].scripts.map((s, j) => [`${name}#${j}`, s]))));
});

describe.each(SCENARIOS.map((s) => [s.golden, s]))('%s', (name, scenario) => {
  test('matches its golden file byte for byte', () => {
    // THEN
    expectMatchesGolden(name, rendered[name].text);
  });

  test('renders the same bytes every time', () => {
    expect(scenario.render()).toBe(rendered[name].text);
  });

  test('has LF line endings only and ends in a newline', () => {
    expect(rendered[name].text).not.toContain('\r');
    expect(rendered[name].text.endsWith('\n')).toBe(true);
  });
});

const mimeScenarios = SCENARIOS.filter((s) => s.format === 'mime').map((s) => s.golden);

describe.each(mimeScenarios)('%s as MIME', (name) => {
  test('Python\'s email package and cloud-init read the same parts, with only a Content-Type header each', () => {
    const { mime, text } = rendered[name];
    // THEN the document is a well-formed multipart/mixed
    expect(text.startsWith('MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="')).toBe(true);
    expect(mime!.isMultipart).toBe(true);
    expect(mime!.contentType).toBe('multipart/mixed');
    expect(mime!.defects).toEqual([]);
    expect(text.endsWith(`\n--${mime!.boundary}--\n`)).toBe(true);
    // AND every part has a blank line after its single header
    expect(text.split(`--${mime!.boundary}\n`).slice(1).every((chunk) => /^Content-Type: [^\n]+\n\n/.test(chunk))).toBe(true);
    for (const part of mime!.parts) expect(part.headerNames).toEqual(['Content-Type']);
    // AND cloud-init splits it into the same parts
    expect(mime!.cloudInitParts.map((p) => [p.contentType, p.body])).toEqual(mime!.parts.map((p) => [p.contentType, p.body]));
  });

  test('every shell part starts with #!/bin/bash and passes bash -n and shellcheck', () => {
    const { scripts } = rendered[name];
    scripts.forEach((script, j) => {
      expect(script.startsWith('#!/bin/bash\n')).toBe(true);
      expect(shell.bashSyntax[`${name}#${j}`]).toBe('');
      expect(shell.shellcheck[`${name}#${j}`]).toBe('');
    });
  });

  test('every NodeConfig decodes as node.eks.aws/v1alpha1 NodeConfig', () => {
    for (const nc of rendered[name].nodeConfigs) {
      expect(nc).toEqual(expect.objectContaining({ apiVersion: 'node.eks.aws/v1alpha1', kind: 'NodeConfig' }));
    }
  });

  test('every SOCI config.toml key exists in soci-snapshotter v0.15.0, and SOCI can start in parallel mode', () => {
    for (const config of rendered[name].sociConfigs) {
      expect(unknownSociKeys(config)).toEqual([]);
      const parallel = config.pull_modes.parallel_pull_unpack;
      expect(parallel.enable).toBe(true);
      expect(config.content_store?.type === 'containerd' || parallel.discard_unpacked_layers === true).toBe(true);
      expect(config.cri_keychain).toEqual({ enable_keychain: true, image_service_path: '/run/containerd/containerd.sock' });
    }
  });
});

const partTypes = (name: string) => rendered[name].mime!.parts.map((p) => p.contentType);

describe('native', () => {
  test('is one NodeConfig part that only turns on FastImagePull, within 1024 bytes', () => {
    expect(partTypes('native.mime')).toEqual([NODE_CONFIG]);
    expect(rendered['native.mime'].nodeConfigs[0].spec).toEqual({ featureGates: { FastImagePull: true } });
    expect(Buffer.byteLength(rendered['native.mime'].text)).toBeLessThanOrEqual(1024);
  });

  test('with tuning: nodeadm\'s config.toml with each option replaced, and SOCI kept on EBS', () => {
    const r = rendered['native-tuned.mime'];
    expect(partTypes('native-tuned.mime')).toEqual([NODE_CONFIG, SHELL]);
    expect(r.nodeConfigs[0].spec).toEqual({ featureGates: { FastImagePull: true }, instance: { localStorage: { disabledMounts: ['SOCI'] } } });
    expect(r.sociConfigs).toEqual([{
      debug: false,
      content_store: { type: 'containerd' },
      cri_keychain: { enable_keychain: true, image_service_path: '/run/containerd/containerd.sock' },
      pull_modes: {
        parallel_pull_unpack: {
          enable: true,
          concurrent_download_chunk_size: '8mb',
          discard_unpacked_layers: false,
          max_concurrent_downloads: -1,
          max_concurrent_downloads_per_image: 10,
          max_concurrent_unpacks: 32,
          max_concurrent_unpacks_per_image: 10,
          decompress_streams: {
            gzip: { path: '/usr/bin/unpigz', args: ['-d', '-c'] },
            zstd: { path: '/usr/bin/zstd', args: ['-d', '-c'] },
          },
        },
      },
    }]);
    // containerd's CRI discard option must follow SOCI's false (nodeadm writes true)
    expect(r.scripts[0]).toMatch(/^\s*keep_unpacked_layers\s*$/m);
  });
});

describe('manual install', () => {
  const manual = ['manual-amd64-pinned.mime', 'manual-arm64-pinned.mime', 'manual-containerd-v3.mime', 'manual-mirror-pinned.mime'];

  test.each(manual)('%s: NodeConfig points kubelet at SOCI and containerd at the daemon\'s --root; within 7168 bytes', (name) => {
    const r = rendered[name];
    expect(partTypes(name)).toEqual([NODE_CONFIG, SHELL]);
    expect(r.nodeConfigs[0].spec.kubelet).toEqual({ config: { imageServiceEndpoint: SOCI_IMAGE_SERVICE_ENDPOINT } });
    const containerd = r.containerdConfigs[0].value;
    const root = /--root (\S+)/.exec(r.scripts[0])?.[1];
    expect(root).toBeDefined();
    expect(containerd.proxy_plugins).toEqual({ soci: { type: 'snapshot', address: SOCI_SOCKET, exports: { root } } });
    expect(containerd.version).toBeUndefined();
    // discard_unpacked_layers agrees between SOCI and containerd
    const images = name.includes('v3') ? containerd.plugins['io.containerd.cri.v1.images'] : containerd.plugins['io.containerd.grpc.v1.cri'].containerd;
    expect(images).toEqual({ snapshotter: 'soci', disable_snapshot_annotations: false, discard_unpacked_layers: r.sociConfigs[0].pull_modes.parallel_pull_unpack.discard_unpacked_layers });
    expect(Object.keys(containerd.plugins)).toHaveLength(1);
    // About 1.6 KiB of it rolls back a failed install and checks archive members; the size guard allows 16,384 - 3,072 bytes.
    expect(Buffer.byteLength(r.text)).toBeLessThanOrEqual(7168);
  });

  test('schema v2 and v3 names are never mixed', () => {
    const v2 = rendered['manual-amd64-pinned.mime'].containerdConfigs[0].text;
    const v3 = rendered['manual-containerd-v3.mime'].containerdConfigs[0].text;
    expect(v2).toContain('io.containerd.grpc.v1.cri');
    expect(v2).not.toContain('io.containerd.cri.v1');
    expect(v3).toContain('io.containerd.cri.v1.images');
    expect(v3).not.toContain('io.containerd.grpc.v1.cri');
  });

  test('default config.toml: containerd content store, CRI keychain, parallel mode, discard written explicitly', () => {
    expect(rendered['manual-amd64-pinned.mime'].sociConfigs[0]).toEqual({
      content_store: { type: 'containerd', containerd_address: '/run/containerd/containerd.sock' },
      cri_keychain: { enable_keychain: true, image_service_path: '/run/containerd/containerd.sock' },
      pull_modes: { parallel_pull_unpack: { enable: true, discard_unpacked_layers: false } },
    });
  });

  test('v3 tuning: 16mb chunks stay "16mb" for SOCI and discard is true on both sides', () => {
    const r = rendered['manual-containerd-v3.mime'];
    expect(r.sociConfigs[0].pull_modes.parallel_pull_unpack).toEqual({
      enable: true, discard_unpacked_layers: true, max_concurrent_downloads_per_image: 10, concurrent_download_chunk_size: '16mb', max_concurrent_unpacks_per_image: 10,
    });
    expect(r.containerdConfigs[0].value.plugins['io.containerd.cri.v1.images'].discard_unpacked_layers).toBe(true);
  });

  test('each architecture\'s pinned digest is in its script and the other is not', () => {
    expect(rendered['manual-amd64-pinned.mime'].scripts[0]).toContain(SHA_AMD64);
    expect(rendered['manual-amd64-pinned.mime'].scripts[0]).not.toContain(SHA_ARM64);
    expect(rendered['manual-arm64-pinned.mime'].scripts[0]).toContain(SHA_ARM64);
    expect(rendered['manual-arm64-pinned.mime'].scripts[0]).not.toContain(SHA_AMD64);
  });

  test('a mirror replaces the GitHub base (trailing slash dropped), with both pins and the chosen version', () => {
    const script = rendered['manual-mirror-pinned.mime'].scripts[0];
    expect(script).toContain(`'${MIRROR.replace(/\/$/, '')}'`);
    expect(script).not.toContain('github.com');
    expect(script).toContain(SHA_AMD64);
    expect(script).toContain(SHA_ARM64);
    expect(script).toContain("VERSION='0.14.1'");
    expect(script).toContain('--root /var/lib/soci-snapshotter-grpc ');
  });
});

describe('user parts and the cluster section', () => {
  test('partsBefore, then the bootstrap\'s parts, then partsAfter, each kept verbatim', () => {
    const r = rendered['native-with-user-parts.mime'];
    expect(partTypes('native-with-user-parts.mime')).toEqual([SHELL, NODE_CONFIG, NODE_CONFIG, 'text/cloud-config']);
    expect(r.mime!.parts[0].body).toBe('#!/bin/bash\nset -euo pipefail\necho "before SOCI" >/var/log/before-soci.log');
    expect(r.nodeConfigs[0].spec).toEqual({ featureGates: { FastImagePull: true } });
    expect(r.nodeConfigs[1].spec).toEqual({ kubelet: { config: { registryPullQPS: 20, serializeImagePulls: false } } });
    expect(r.mime!.parts[3].body).toBe('#cloud-config\npackages:\n  - htop');
  });

  test('a launch template gets the cluster section as the last NodeConfig', () => {
    const r = rendered['launch-template-cluster.mime'];
    expect(partTypes('launch-template-cluster.mime')).toEqual([NODE_CONFIG, NODE_CONFIG]);
    expect(r.nodeConfigs[1].spec).toEqual({
      cluster: {
        name: 'ml-platform',
        apiServerEndpoint: 'https://0123456789ABCDEF0123456789ABCDEF.gr7.us-west-2.eks.amazonaws.com',
        certificateAuthority: expect.stringMatching(/^LS0t/),
        cidr: '10.100.0.0/16',
      },
    });
  });
});

describe('bottlerocket', () => {
  test('tuned: kebab-case keys, chunk size in integer bytes (16 MiB = 16777216), every key in the settings model', () => {
    const doc = rendered['bottlerocket.toml'].bottlerocket;
    expect(doc).toEqual({
      settings: {
        'container-runtime': { snapshotter: 'soci' },
        'container-runtime-plugins': {
          'soci-snapshotter': {
            'pull-mode': 'parallel-pull-unpack',
            'parallel-pull-unpack': {
              'max-concurrent-downloads': 40,
              'max-concurrent-downloads-per-image': 10,
              'concurrent-download-chunk-size': 16777216,
              'max-concurrent-unpacks': -1,
              'max-concurrent-unpacks-per-image': 10,
              'discard-unpacked-layers': false,
            },
          },
        },
      },
    });
    expect(unknownBottlerocketSociSettings(doc)).toEqual([]);
  });

  test('user settings are kept and SOCI\'s are merged in', () => {
    const doc = rendered['bottlerocket-user-settings.toml'].bottlerocket;
    expect(doc.settings.kubernetes).toEqual({ 'max-pods': 110, 'image-gc-high-threshold-percent': '85' });
    expect(doc.settings['host-containers']).toEqual({ admin: { enabled: false } });
    expect(doc.settings['container-runtime']).toEqual({ snapshotter: 'soci' });
    expect(doc.settings['container-runtime-plugins']).toEqual({ 'soci-snapshotter': { 'pull-mode': 'parallel-pull-unpack' } });
    expect(unknownBottlerocketSociSettings(doc)).toEqual([]);
  });
});
