import { ACKNOWLEDGE_ANNOTATION, Finding, SociGuard, validateManifests, ValidateOptions } from '../../lib/validation';
import { FAST_IMAGE_PULL_NODE_CONFIG, Json, mime, nativeUserData, NODE_CONFIG_TYPE, setAt, SHELL_TYPE, SOCI_CONFIG_TOML, tuningScript, validNodeClass, validNodePool } from './fixtures';

function run(nodeClass: Json, nodePool: Json = validNodePool(), options?: ValidateOptions) {
  return validateManifests([nodeClass, nodePool], options);
}

function byRule(findings: readonly Finding[], rule: string): Finding[] {
  return findings.filter((f) => f.rule === rule);
}

function acknowledge(manifest: Json, ...guards: string[]): Json {
  return setAt(manifest, '/metadata/annotations', { [ACKNOWLEDGE_ANNOTATION]: guards.join(', ') });
}

describe('GIVEN the valid fixtures', () => {
  test('WHEN validated THEN no guard fires', () => {
    expect(run(validNodeClass()).findings).toEqual([]);
  });
});

describe('SMALL_INSTANCES', () => {
  test.each([
    ['no size requirement', [{ key: 'kubernetes.io/arch', operator: 'In', values: ['amd64'] }]],
    ['an instance-type list (cannot be analysed)', [{ key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['m7i.2xlarge'] }]],
    ['cpu Gt 2 (3 vCPU allowed)', [{ key: 'karpenter.k8s.aws/instance-cpu', operator: 'Gt', values: ['2'] }, { key: 'karpenter.k8s.aws/instance-memory', operator: 'Gte', values: ['8192'] }]],
    ['cpu In [2, 8]', [{ key: 'karpenter.k8s.aws/instance-cpu', operator: 'In', values: ['2', '8'] }, { key: 'karpenter.k8s.aws/instance-memory', operator: 'Gt', values: ['7167'] }]],
    ['memory only bounded above', [{ key: 'karpenter.k8s.aws/instance-cpu', operator: 'Gte', values: ['4'] }, { key: 'karpenter.k8s.aws/instance-memory', operator: 'Lt', values: ['65536'] }]],
    ['memory Gte 4096', [{ key: 'karpenter.k8s.aws/instance-cpu', operator: 'Gte', values: ['4'] }, { key: 'karpenter.k8s.aws/instance-memory', operator: 'Gte', values: ['4096'] }]],
  ])('GIVEN FastImagePull and a NodePool with %s WHEN validated THEN small-instances is an error on the NodePool', (_name, requirements) => {
    const nodePool = setAt(validNodePool(), '/spec/template/spec/requirements', requirements);
    const [error] = byRule(run(validNodeClass(), nodePool).errors, SociGuard.SMALL_INSTANCES);
    expect(error).toMatchObject({ kind: 'NodePool', jsonPath: '/spec/template/spec/requirements' });
    expect(error.message).toContain('nodeadm silently ignores the gate');
    expect(error.message).toContain(`"${SociGuard.SMALL_INSTANCES}"`);
    expect(error.message).toContain(ACKNOWLEDGE_ANNOTATION);
  });

  test.each([
    ['Gte 4 / Gte 7168', [{ key: 'karpenter.k8s.aws/instance-cpu', operator: 'Gte', values: ['4'] }, { key: 'karpenter.k8s.aws/instance-memory', operator: 'Gte', values: ['7168'] }]],
    ['Gt 3 / Gt 7167', [{ key: 'karpenter.k8s.aws/instance-cpu', operator: 'Gt', values: ['3'] }, { key: 'karpenter.k8s.aws/instance-memory', operator: 'Gt', values: ['7167'] }]],
    ['In [4, 8] / In [16384]', [{ key: 'karpenter.k8s.aws/instance-cpu', operator: 'In', values: ['4', '8'] }, { key: 'karpenter.k8s.aws/instance-memory', operator: 'In', values: ['16384'] }]],
  ])('GIVEN bounds %s WHEN validated THEN no small-instances finding', (_name, requirements) => {
    const nodePool = setAt(validNodePool(), '/spec/template/spec/requirements', requirements);
    expect(byRule(run(validNodeClass(), nodePool).findings, SociGuard.SMALL_INSTANCES)).toEqual([]);
  });

  test('GIVEN no FastImagePull WHEN the NodePool allows small instances THEN no finding', () => {
    const nodeClass = setAt(validNodeClass(), '/spec/userData', nativeUserData(FAST_IMAGE_PULL_NODE_CONFIG.replace('FastImagePull: true', 'FastImagePull: false')));
    const nodePool = setAt(validNodePool(), '/spec/template/spec/requirements', [{ key: 'kubernetes.io/arch', operator: 'In', values: ['amd64'] }]);
    expect(byRule(run(nodeClass, nodePool).findings, SociGuard.SMALL_INSTANCES)).toEqual([]);
  });

  test('GIVEN the NodePool acknowledges it WHEN validated THEN it is a warning, not an error', () => {
    const nodePool = acknowledge(setAt(validNodePool(), '/spec/template/spec/requirements', [{ key: 'kubernetes.io/arch', operator: 'In', values: ['amd64'] }]), SociGuard.SMALL_INSTANCES);
    const report = run(validNodeClass(), nodePool);
    expect(byRule(report.errors, SociGuard.SMALL_INSTANCES)).toEqual([]);
    expect(byRule(report.warnings, SociGuard.SMALL_INSTANCES)).toHaveLength(1);
  });
});

describe('EBS_THROUGHPUT', () => {
  test('GIVEN FastImagePull and a gp3 root volume at 125 MiB/s WHEN validated THEN an error at its throughput', () => {
    const nodeClass = setAt(validNodeClass(), '/spec/blockDeviceMappings/0/ebs/throughput', 125);
    const [error] = byRule(run(nodeClass).errors, SociGuard.EBS_THROUGHPUT);
    expect(error).toMatchObject({ jsonPath: '/spec/blockDeviceMappings/0/ebs/throughput', value: 125 });
    expect(error.message).toContain('600');
  });

  test('GIVEN no throughput WHEN validated THEN the gp3 baseline counts', () => {
    const nodeClass = setAt(validNodeClass(), '/spec/blockDeviceMappings/0/ebs/throughput', undefined);
    expect(byRule(run(nodeClass).errors, SociGuard.EBS_THROUGHPUT)[0].message).toContain('gp3 baseline 125');
  });

  test('GIVEN no blockDeviceMappings WHEN validated THEN the default 125 MiB/s root volume is flagged', () => {
    const nodeClass = setAt(validNodeClass(), '/spec/blockDeviceMappings', undefined);
    expect(byRule(run(nodeClass).errors, SociGuard.EBS_THROUGHPUT)[0].jsonPath).toBe('/spec/blockDeviceMappings');
  });

  test('GIVEN a gp2 root volume WHEN validated THEN the volume type is flagged', () => {
    const nodeClass = setAt(validNodeClass(), '/spec/blockDeviceMappings/0/ebs/volumeType', 'gp2');
    expect(byRule(run(nodeClass).errors, SociGuard.EBS_THROUGHPUT)[0].jsonPath).toBe('/spec/blockDeviceMappings/0/ebs/volumeType');
  });

  test('GIVEN RAID0 instance store WHEN the throughput is low THEN no finding (SOCI data is on NVMe)', () => {
    const nodeClass = setAt(setAt(validNodeClass(), '/spec/blockDeviceMappings/0/ebs/throughput', 125), '/spec/instanceStorePolicy', 'RAID0');
    expect(byRule(run(nodeClass).findings, SociGuard.EBS_THROUGHPUT)).toEqual([]);
  });

  test('GIVEN RAID0 but disabledMounts [SOCI] WHEN the throughput is low THEN an error', () => {
    const nodeConfig = `${FAST_IMAGE_PULL_NODE_CONFIG}  instance:\n    localStorage:\n      disabledMounts: [SOCI]\n`;
    const nodeClass = setAt(setAt(setAt(validNodeClass(), '/spec/blockDeviceMappings/0/ebs/throughput', 125), '/spec/instanceStorePolicy', 'RAID0'), '/spec/userData', nativeUserData(nodeConfig));
    expect(byRule(run(nodeClass).errors, SociGuard.EBS_THROUGHPUT)).toHaveLength(1);
  });

  test('GIVEN Bottlerocket with snapshotter soci WHEN the data volume /dev/xvdb has 125 MiB/s THEN an error even with RAID0', () => {
    const nodeClass = validNodeClass();
    nodeClass.spec.amiSelectorTerms = [{ alias: 'bottlerocket@v1.50.0' }];
    nodeClass.spec.instanceStorePolicy = 'RAID0';
    nodeClass.spec.blockDeviceMappings = [
      { deviceName: '/dev/xvda', rootVolume: true, ebs: { volumeSize: '4Gi', volumeType: 'gp3' } },
      { deviceName: '/dev/xvdb', ebs: { volumeSize: '100Gi', volumeType: 'gp3', throughput: 125 } },
    ];
    nodeClass.spec.userData = '[settings.container-runtime]\nsnapshotter = "soci"\n';
    expect(byRule(run(nodeClass).errors, SociGuard.EBS_THROUGHPUT)[0].jsonPath).toBe('/spec/blockDeviceMappings/1/ebs/throughput');
  });

  test('GIVEN no SOCI at all WHEN the throughput is low THEN no finding', () => {
    const nodeClass = setAt(setAt(validNodeClass(), '/spec/userData', undefined), '/spec/blockDeviceMappings/0/ebs/throughput', 125);
    expect(byRule(run(nodeClass).findings, SociGuard.EBS_THROUGHPUT)).toEqual([]);
  });

  test('GIVEN the EC2NodeClass acknowledges it WHEN validated THEN a warning', () => {
    const nodeClass = acknowledge(setAt(validNodeClass(), '/spec/blockDeviceMappings/0/ebs/throughput', 125), SociGuard.EBS_THROUGHPUT, SociGuard.USER_DATA_SIZE);
    const report = run(nodeClass);
    expect(byRule(report.errors, SociGuard.EBS_THROUGHPUT)).toEqual([]);
    expect(byRule(report.warnings, SociGuard.EBS_THROUGHPUT)).toHaveLength(1);
  });
});

function withContainerdConfig(config: string): Json {
  const indented = config.split('\n').map((l) => `      ${l}`).join('\n');
  return setAt(validNodeClass(), '/spec/userData', nativeUserData(`${FAST_IMAGE_PULL_NODE_CONFIG}  containerd:\n    config: |\n${indented}\n`));
}

describe('CONTAINERD_CONFIG', () => {
  test('GIVEN v2 and v3 plugin names in one containerd.config WHEN validated THEN an error names both', () => {
    const nodeClass = withContainerdConfig(`[plugins."io.containerd.grpc.v1.cri".containerd]\nsnapshotter = "soci"\n[plugins."io.containerd.cri.v1.images"]\nsnapshotter = "soci"`);
    const [error] = byRule(run(nodeClass).errors, SociGuard.CONTAINERD_CONFIG);
    expect(error.jsonPath).toBe('/spec/userData[part 1]/spec/containerd/config');
    expect(error.message).toContain('io.containerd.grpc.v1.cri');
    expect(error.message).toContain('io.containerd.cri.v1.images');
  });

  test('GIVEN SOCI keys in containerd.config WHEN validated THEN an error lists them', () => {
    const nodeClass = withContainerdConfig(`[plugins."io.containerd.cri.v1.images"]\ndiscard_unpacked_layers = true\n[pull_modes.parallel_pull_unpack]\nmax_concurrent_downloads_per_image = 10`);
    const [error] = byRule(run(nodeClass).errors, SociGuard.CONTAINERD_CONFIG);
    expect(error.value).toEqual(['pull_modes']);
  });

  test('GIVEN a v3-only config without SOCI keys WHEN validated THEN no finding', () => {
    const nodeClass = withContainerdConfig(`[plugins."io.containerd.cri.v1.images"]\ndiscard_unpacked_layers = true`);
    expect(run(nodeClass).findings).toEqual([]);
  });

  test('GIVEN invalid TOML in containerd.config WHEN validated THEN a non-acknowledgeable error', () => {
    const nodeClass = acknowledge(withContainerdConfig('[plugins\nx = '), SociGuard.CONTAINERD_CONFIG);
    expect(byRule(run(nodeClass).errors, 'containerd-config-toml')).toHaveLength(1);
  });
});

function withSociConfig(config: string): Json {
  return setAt(validNodeClass(), '/spec/userData', nativeUserData(FAST_IMAGE_PULL_NODE_CONFIG, tuningScript(config)));
}

describe('CONTENT_STORE and SOCI config values', () => {
  test('GIVEN parallel pull with the default content store and no discard WHEN validated THEN content-store error', () => {
    const config = SOCI_CONFIG_TOML.replace('[content_store]\ntype = "containerd"\n', '').replace('discard_unpacked_layers = true', 'discard_unpacked_layers = false');
    const [error] = byRule(run(withSociConfig(config)).errors, SociGuard.CONTENT_STORE);
    expect(error).toMatchObject({ jsonPath: '/spec/userData[part 2]/SOCI_CONFIG_TOML/content_store/type', value: 'soci' });
    expect(error.message).toContain('requires containerd content store');
  });

  test('GIVEN the soci content store but discard true WHEN validated THEN no content-store finding', () => {
    const config = SOCI_CONFIG_TOML.replace('type = "containerd"', 'type = "soci"');
    expect(byRule(run(withSociConfig(config)).findings, SociGuard.CONTENT_STORE)).toEqual([]);
  });

  test.each([
    ['"8MiB"', 'concurrent_download_chunk_size = "8MiB"', 'concurrent_download_chunk_size'],
    ['"-1"', 'concurrent_download_chunk_size = "-1"', 'concurrent_download_chunk_size'],
    ['an integer', 'concurrent_download_chunk_size = 1024', 'concurrent_download_chunk_size'],
  ])('GIVEN chunk size %s WHEN validated THEN an error even when acknowledged', (_name, line, key) => {
    const nodeClass = acknowledge(withSociConfig(SOCI_CONFIG_TOML.replace('concurrent_download_chunk_size = "16mb"', line)), ...Object.values(SociGuard));
    const errors = byRule(run(nodeClass).errors, 'soci-config');
    expect(errors.map((e) => e.jsonPath)).toEqual([`/spec/userData[part 2]/SOCI_CONFIG_TOML/pull_modes/parallel_pull_unpack/${key}`]);
  });

  test.each([['0'], ['-2'], ['1.5'], ['"10"']])('GIVEN max_concurrent_unpacks_per_image = %s WHEN validated THEN an error', (value) => {
    const nodeClass = withSociConfig(SOCI_CONFIG_TOML.replace('max_concurrent_unpacks_per_image = 10', `max_concurrent_unpacks_per_image = ${value}`));
    expect(byRule(run(nodeClass).errors, 'soci-config').map((e) => e.jsonPath)).toEqual(['/spec/userData[part 2]/SOCI_CONFIG_TOML/pull_modes/parallel_pull_unpack/max_concurrent_unpacks_per_image']);
  });

  test('GIVEN config.toml that is not TOML WHEN validated THEN an error', () => {
    expect(byRule(run(withSociConfig('[pull_modes\n')).errors, 'soci-config')).toHaveLength(1);
  });
});

describe('manual install script', () => {
  const script = (version: string, url: string, amd64: string, proto = ' --proto "=https" --proto-redir "=https"') =>
    `#!/bin/bash\nset -euo pipefail\n\nreadonly VERSION='${version}'\nreadonly BASE_URL='${url}'\ndeclare -rA PINNED=([amd64]='${amd64}' [arm64]='')\nreadonly ATTEMPTS=3 RETRY_DELAY=5\nreadonly CURL_OPTS=(--fail -sS --location --connect-timeout 10 --max-time 300${proto})\n`;
  const withScript = (body: string) => setAt(validNodeClass(), '/spec/userData', mime([{ contentType: SHELL_TYPE, body }]));
  const rules = (nodeClass: Json) => byRule(run(nodeClass).errors, 'soci-manual-install').map((e) => e.jsonPath);
  const GOOD_SHA = 'a'.repeat(64);

  test('GIVEN a valid script WHEN validated THEN no finding', () => {
    expect(rules(withScript(script('0.15.0', 'https://github.com/awslabs/soci-snapshotter/releases/download', GOOD_SHA)))).toEqual([]);
  });
  test('GIVEN a version below 0.11.0 WHEN validated THEN an error', () => {
    expect(rules(withScript(script('0.9.0', 'https://example.com', GOOD_SHA)))).toEqual(['/spec/userData[part 1]/VERSION']);
  });
  test('GIVEN an http:// URL with HTTPS-only downloads WHEN validated THEN an error', () => {
    expect(rules(withScript(script('0.15.0', 'http://mirror.local', GOOD_SHA)))).toEqual(['/spec/userData[part 1]/BASE_URL']);
  });
  test('GIVEN an http:// URL with insecure mirrors allowed and both digests pinned WHEN validated THEN no finding', () => {
    expect(rules(withScript(script('0.15.0', 'http://mirror.local', GOOD_SHA, '').replace("[arm64]=''", `[arm64]='${GOOD_SHA}'`)))).toEqual([]);
  });
  test('GIVEN a pinned sha256 that is not 64 hex WHEN validated THEN an error', () => {
    expect(rules(withScript(script('0.15.0', 'https://example.com', 'abc123')))).toEqual(['/spec/userData[part 1]/PINNED/amd64']);
  });
});

describe('USER_DATA_SIZE', () => {
  const padded = (bytes: number) => {
    const base = nativeUserData();
    const filler = `#!/bin/bash\n# ${'x'.repeat(Math.max(0, bytes - Buffer.byteLength(base) - 200))}\n`;
    return mime([{ contentType: NODE_CONFIG_TYPE, body: FAST_IMAGE_PULL_NODE_CONFIG }, { contentType: SHELL_TYPE, body: filler }]);
  };

  test('GIVEN user data that with the reserve exceeds 16,384 bytes WHEN validated THEN an error', () => {
    const nodeClass = setAt(validNodeClass(), '/spec/userData', padded(14_000));
    expect(byRule(run(nodeClass).errors, SociGuard.USER_DATA_SIZE)).toHaveLength(1);
  });

  test('GIVEN user data that with the reserve is above 14,745 bytes WHEN validated THEN a warning only', () => {
    const nodeClass = setAt(validNodeClass(), '/spec/userData', padded(12_500));
    const report = run(nodeClass);
    expect(byRule(report.errors, SociGuard.USER_DATA_SIZE)).toEqual([]);
    expect(byRule(report.warnings, SociGuard.USER_DATA_SIZE)).toHaveLength(1);
  });
});

describe('HELM_TEMPLATE_BRACES', () => {
  const nodeClass = () => setAt(validNodeClass(), '/spec/tags/owner', '{{ .Values.owner }}');

  test('GIVEN Helm output without escaping WHEN a value holds {{ THEN an error at that value', () => {
    const [error] = byRule(run(nodeClass(), validNodePool(), { helm: true }).errors, SociGuard.HELM_TEMPLATE_BRACES);
    expect(error.jsonPath).toBe('/spec/tags/owner');
  });
  test('GIVEN Helm output with escaping, or plain output WHEN validated THEN no finding', () => {
    expect(byRule(run(nodeClass(), validNodePool(), { helm: true, helmEscaping: true }).findings, SociGuard.HELM_TEMPLATE_BRACES)).toEqual([]);
    expect(byRule(run(nodeClass()).findings, SociGuard.HELM_TEMPLATE_BRACES)).toEqual([]);
  });
});

describe('warnings', () => {
  test('GIVEN an @latest alias WHEN validated THEN a warning at the alias', () => {
    const nodeClass = setAt(validNodeClass(), '/spec/amiSelectorTerms/0/alias', 'al2023@latest');
    const report = run(nodeClass);
    expect(report.errors).toEqual([]);
    expect(byRule(report.warnings, 'ami-latest').map((w) => w.jsonPath)).toEqual(['/spec/amiSelectorTerms/0/alias']);
  });

  test('GIVEN NodeConfig fields Karpenter overrides WHEN validated THEN one warning each', () => {
    const nodeConfig = `apiVersion: node.eks.aws/v1alpha1
kind: NodeConfig
spec:
  cluster:
    name: my-cluster
  featureGates:
    FastImagePull: true
  kubelet:
    config:
      maxPods: 50
      clusterDNS: [10.0.0.10]
      registerWithTaints: []
    flags:
      - --node-labels=a=b
      - --v=2
`;
    const report = run(setAt(validNodeClass(), '/spec/userData', nativeUserData(nodeConfig)));
    expect(byRule(report.warnings, 'karpenter-overrides').map((w) => w.jsonPath)).toEqual([
      '/spec/userData[part 1]/spec/cluster/name',
      '/spec/userData[part 1]/spec/kubelet/config/maxPods',
      '/spec/userData[part 1]/spec/kubelet/config/clusterDNS',
      '/spec/userData[part 1]/spec/kubelet/config/registerWithTaints',
      '/spec/userData[part 1]/spec/kubelet/flags/0',
    ]);
    expect(report.errors).toEqual([]);
  });
});

describe('AMI releases (ami-release): pinned AL2023 releases that lack or break a SOCI feature', () => {
  const KEEP_SOCI_ON_EBS = FAST_IMAGE_PULL_NODE_CONFIG.replace('spec:\n', 'spec:\n  instance:\n    localStorage:\n      disabledMounts: [SOCI]\n');
  const withAlias = (alias: string, nodeConfig = FAST_IMAGE_PULL_NODE_CONFIG) =>
    setAt(setAt(validNodeClass(), '/spec/amiSelectorTerms', [{ alias }]), '/spec/userData', nativeUserData(nodeConfig));

  test('GIVEN a hand-written FastImagePull node class pinned to al2023@v20260505 WHEN validated THEN an error at the alias names the issue and the fixed release', () => {
    // WHEN
    const [error, ...more] = byRule(run(withAlias('al2023@v20260505')).errors, 'ami-release');
    // THEN
    expect(more).toEqual([]);
    expect(error).toMatchObject({ kind: 'EC2NodeClass', jsonPath: '/spec/amiSelectorTerms/0/alias', value: 'al2023@v20260505' });
    expect(error.message).toContain('breaks nodes on v20260505');
    expect(error.message).toContain('amazon-eks-ami#2710');
    expect(error.message).toContain('Use al2023@v20260512 or later');
  });

  test('GIVEN disabledMounts: [SOCI] on al2023@v20251217 WHEN validated THEN an error says nodeadm ignores it before v20260120', () => {
    const [error] = byRule(run(withAlias('al2023@v20251217', KEEP_SOCI_ON_EBS)).errors, 'ami-release');
    expect(error).toMatchObject({ jsonPath: '/spec/amiSelectorTerms/0/alias', value: 'al2023@v20251217' });
    expect(error.message).toContain('needs al2023@v20260120 or later; on v20251217 nodeadm silently ignores it');
  });

  test('GIVEN FastImagePull on a release older than the gate WHEN validated THEN an error names the minimum', () => {
    const [error] = byRule(run(withAlias('al2023@v20250715')).errors, 'ami-release');
    expect(error.message).toContain('needs al2023@v20250821 or later');
  });

  test.each([
    ['the fixed release', 'al2023@v20260512', KEEP_SOCI_ON_EBS],
    ['the release before the breakage', 'al2023@v20260429', FAST_IMAGE_PULL_NODE_CONFIG],
    ['latest', 'al2023@latest', KEEP_SOCI_ON_EBS],
    ['the broken release without FastImagePull', 'al2023@v20260505', FAST_IMAGE_PULL_NODE_CONFIG.replace('FastImagePull: true', 'FastImagePull: false')],
  ])('GIVEN %s WHEN validated THEN no ami-release finding', (_name, alias, nodeConfig) => {
    expect(byRule(run(withAlias(alias, nodeConfig)).findings, 'ami-release')).toEqual([]);
  });
});

describe('SOCI settings in Bottlerocket user data', () => {
  const PARALLEL = 'settings.container-runtime-plugins.soci-snapshotter.parallel-pull-unpack';

  function bottlerocketNodeClass(parallel: string): Json {
    const nodeClass = validNodeClass();
    nodeClass.spec.amiSelectorTerms = [{ alias: 'bottlerocket@v1.50.0' }];
    nodeClass.spec.blockDeviceMappings = [
      { deviceName: '/dev/xvda', rootVolume: true, ebs: { volumeSize: '4Gi', volumeType: 'gp3', encrypted: true } },
      { deviceName: '/dev/xvdb', ebs: { volumeSize: '100Gi', volumeType: 'gp3', throughput: 600, encrypted: true } },
    ];
    nodeClass.spec.userData = `[settings.container-runtime]\nsnapshotter = "soci"\n\n[${PARALLEL}]\n${parallel}\n`;
    return nodeClass;
  }

  test.each([
    ['max-concurrent-downloads-per-image = 0', 'max-concurrent-downloads-per-image', 0],
    ['concurrent-download-chunk-size = "16 MiB"', 'concurrent-download-chunk-size', '16 MiB'],
    ['max-concurrent-unpacks = 0', 'max-concurrent-unpacks', 0],
  ])('GIVEN %s WHEN validated THEN a soci-config error points at the key', (parallel, key, value) => {
    const errors = byRule(run(bottlerocketNodeClass(parallel)).errors, 'soci-config');
    expect(errors).toEqual([expect.objectContaining({ jsonPath: `/spec/userData[${PARALLEL}.${key}]`, value })]);
  });

  test('GIVEN image-gc-high-threshold-percent = 85 beside the SOCI settings WHEN validated THEN a user-data-format error (Karpenter rejects the user data)', () => {
    const nodeClass = bottlerocketNodeClass('max-concurrent-downloads-per-image = 3');
    nodeClass.spec.userData = `[settings.kubernetes]\nimage-gc-high-threshold-percent = 85\n\n${nodeClass.spec.userData}`;
    const errors = byRule(run(nodeClass).errors, 'user-data-format');
    expect(errors).toEqual([expect.objectContaining({ jsonPath: '/spec/userData', message: expect.stringContaining('image-gc-high-threshold-percent = 85 is not a TOML string') })]);
  });

  test('GIVEN "16MiB" and per-image limits within the totals WHEN validated THEN no soci-config finding', () => {
    const nodeClass = bottlerocketNodeClass('max-concurrent-downloads = 8\nmax-concurrent-downloads-per-image = 8\nconcurrent-download-chunk-size = "16MiB"');
    expect(byRule(run(nodeClass).findings, 'soci-config')).toEqual([]);
  });
});
