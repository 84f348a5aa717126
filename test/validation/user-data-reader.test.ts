import { gzipSync } from 'node:zlib';
import { readBottlerocketUserData, readNodeadmUserData } from '../../lib/validation';
import { FAST_IMAGE_PULL_NODE_CONFIG, mime, NODE_CONFIG_TYPE, SHELL_TYPE, tuningScript } from './fixtures';

describe('readNodeadmUserData: Karpenter three input formats', () => {
  test('GIVEN MIME multipart WHEN read THEN parts keep their order and content types, and NodeConfigs are decoded', () => {
    // GIVEN
    const text = mime([
      { contentType: SHELL_TYPE, body: '#!/bin/bash\necho hi\n' },
      { contentType: NODE_CONFIG_TYPE, body: FAST_IMAGE_PULL_NODE_CONFIG },
    ]);
    // WHEN
    const read = readNodeadmUserData(text);
    // THEN
    expect(read.format).toBe('mime');
    expect(read.problems).toEqual([]);
    expect(read.parts.map((p) => p.mediaType)).toEqual(['text/x-shellscript', 'application/node.eks.aws']);
    // The line break before a delimiter belongs to the delimiter (RFC 2046).
    expect(read.parts[0].body).toBe('#!/bin/bash\necho hi');
    expect(read.nodeConfigs).toHaveLength(1);
    expect(read.nodeConfigs[0].partIndex).toBe(1);
    expect(read.nodeConfigs[0].document.spec).toMatchObject({ featureGates: { FastImagePull: true } });
  });

  test('GIVEN MIME starting with Content-Type, an unquoted boundary, CRLF and no closing delimiter WHEN read THEN it is read like Karpenter does', () => {
    const text = 'Content-Type: multipart/mixed; boundary=BOUNDARY\r\n\r\n--BOUNDARY\r\nContent-Type: text/x-shellscript\r\n\r\n#!/bin/sh\r\ntrue\r\n';
    const read = readNodeadmUserData(text);
    expect(read.problems).toEqual([]);
    expect(read.parts).toHaveLength(1);
    expect(read.parts[0].body).toBe('#!/bin/sh\ntrue\n');
  });

  test('GIVEN a bare NodeConfig mapping WHEN read THEN it is one NodeConfig part', () => {
    const read = readNodeadmUserData(FAST_IMAGE_PULL_NODE_CONFIG);
    expect(read.format).toBe('node-config');
    expect(read.nodeConfigs).toHaveLength(1);
  });

  test('GIVEN a plain script WHEN read THEN it is one shell part', () => {
    const read = readNodeadmUserData('#!/bin/bash\necho hello world\n');
    expect(read.format).toBe('shell');
    expect(read.parts[0].mediaType).toBe('text/x-shellscript');
    expect(read.problems).toEqual([]);
  });

  test('GIVEN "KEY: value" lines without #! WHEN read THEN they are taken for a NodeConfig (the classification trap)', () => {
    const read = readNodeadmUserData('FOO: bar\n');
    expect(read.format).toBe('node-config');
  });

  test('GIVEN a NodeConfig part sent as gzip+base64 WHEN read THEN it is decoded as nodeadm does', () => {
    const body = gzipSync(Buffer.from(FAST_IMAGE_PULL_NODE_CONFIG)).toString('base64');
    const read = readNodeadmUserData(mime([{ contentType: NODE_CONFIG_TYPE, body }]));
    expect(read.problems).toEqual([]);
    expect(read.nodeConfigs[0].document.kind).toBe('NodeConfig');
  });

  test('GIVEN the SOCI tuning script WHEN read THEN the shell part keeps the heredoc verbatim', () => {
    const read = readNodeadmUserData(mime([{ contentType: SHELL_TYPE, body: tuningScript() }]));
    expect(read.parts[0].body).toContain("<<'SOCI_CONFIG_TOML'");
  });
});

describe('readNodeadmUserData: malformed input', () => {
  test.each([
    ['no blank line after the top-level headers', 'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="//"\n--//\nContent-Type: text/x-shellscript\n\n#!/bin/sh\n--//--\n', 'top-level malformed MIME header line "--//"'],
    ['no blank line after part headers', 'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="//"\n\n--//\nContent-Type: text/x-shellscript\n#!/bin/sh\n--//--\n', 'part 1: malformed MIME header line "#!/bin/sh"'],
    ['not multipart', 'MIME-Version: 1.0\nContent-Type: text/plain\n\nhello\n', 'must be multipart/mixed with a boundary'],
    ['no boundary line', 'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="XX"\n\n--YY\n', 'no part starts with the boundary line "--XX"'],
    ['shell part without #!', mime([{ contentType: SHELL_TYPE, body: 'echo hi\n' }]), 'must start with "#!"'],
    ['base64 shell part', 'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="//"\n\n--//\nContent-Type: text/x-shellscript\nContent-Transfer-Encoding: base64\n\nIyEvYmluL3NoCg==\n--//--\n', 'is base64-encoded'],
    ['NodeConfig part that is not YAML', mime([{ contentType: NODE_CONFIG_TYPE, body: 'spec: [unclosed\n' }]), 'not valid YAML'],
    ['NodeConfig part that is a list', mime([{ contentType: NODE_CONFIG_TYPE, body: '- a\n- b\n' }]), 'must be a YAML mapping'],
  ])('GIVEN %s WHEN read THEN a problem explains it', (_name, text, expected) => {
    const read = readNodeadmUserData(text);
    expect(read.problems.join('\n')).toContain(expected);
  });
});

describe('readBottlerocketUserData', () => {
  test('GIVEN settings TOML WHEN read THEN the settings are parsed', () => {
    const read = readBottlerocketUserData('[settings.container-runtime]\nsnapshotter = "soci"\n');
    expect(read.problems).toEqual([]);
    expect(read.bottlerocketSettings).toMatchObject({ settings: { 'container-runtime': { snapshotter: 'soci' } } });
  });

  test('GIVEN invalid TOML WHEN read THEN a problem says Karpenter creates no launch template', () => {
    const read = readBottlerocketUserData('[settings\nx = 1\n');
    expect(read.problems[0]).toContain('must be valid TOML');
  });
});

describe('readNodeadmUserData: lines Karpenter\'s merge would read as its "//" boundary', () => {
  const injected = '#!/bin/bash\ncat >/tmp/x <<\'EOF\'\n--//--\nEOF\n';

  test('GIVEN MIME under another boundary whose shell part has a "--//--" line WHEN read THEN a problem names the part and line', () => {
    // GIVEN our own boundary, so the split alone does not see the line
    const text = mime([{ contentType: SHELL_TYPE, body: '#!/bin/bash\ntrue\n' }, { contentType: SHELL_TYPE, body: injected }], '==B==');
    // WHEN
    const read = readNodeadmUserData(text);
    // THEN the parts are as written, and the injection is reported
    expect(read.parts).toHaveLength(2);
    expect(read.problems).toEqual([expect.stringContaining('part 2 line 3 "--//--" starts with "--//"')]);
  });

  test.each([
    ['a bare shell script (Karpenter wraps it as one part)', injected],
    ['MIME under "//" with a "--//x" line our split keeps in the body', mime([{ contentType: SHELL_TYPE, body: '#!/bin/bash\n--//x\n' }])],
  ])('GIVEN %s WHEN read THEN the line is a problem', (_name, text) => {
    expect(readNodeadmUserData(text).problems.join('\n')).toContain('starts with "--//"');
  });

  test('GIVEN "--//" only inside a line WHEN read THEN there is no problem', () => {
    expect(readNodeadmUserData(mime([{ contentType: SHELL_TYPE, body: '#!/bin/bash\necho "--//"\n' }], '==B==')).problems).toEqual([]);
  });
});

describe('readBottlerocketUserData: settings Karpenter v1.14.1 decodes into typed Go fields', () => {
  test('GIVEN image-gc-high-threshold-percent = 85 (an integer for a Go *string) WHEN read THEN a problem says Karpenter rejects the user data', () => {
    const read = readBottlerocketUserData('[settings.kubernetes]\nmax-pods = 110\nimage-gc-high-threshold-percent = 85\n');
    expect(read.problems).toEqual([expect.stringContaining('settings.kubernetes.image-gc-high-threshold-percent = 85 is not a TOML string')]);
    expect(read.problems[0]).toContain('rejects the whole user data');
  });

  test('GIVEN the string "85" WHEN read THEN there is no problem', () => {
    expect(readBottlerocketUserData('[settings.kubernetes]\nimage-gc-high-threshold-percent = "85"\n').problems).toEqual([]);
  });

  test('GIVEN a key Karpenter\'s struct does not have WHEN read THEN a problem says Karpenter drops it', () => {
    const read = readBottlerocketUserData('[settings.kubernetes]\nimage-gc-threshold = "85"\n');
    expect(read.problems).toEqual([expect.stringContaining('settings.kubernetes.image-gc-threshold is not a field of Karpenter v1.14.1')]);
  });
});
