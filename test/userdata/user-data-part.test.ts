import { ConfigError } from '../../lib/errors';
import { UserDataPart } from '../../lib/userdata';
import { composeAl2023UserData } from '../../lib/userdata/compose';
import { karpenterBoundaryLine } from '../../lib/userdata/karpenter-boundary';

/** Lines Karpenter's merge (boundary "//") would read as a delimiter or as the end of the document. */
const INJECTIONS = ['--//', '--//--', '--// ', '--//--trailing', '--//\tx'];

describe('UserDataPart refuses lines that Karpenter\'s MIME merge would read as a boundary', () => {
  test.each(INJECTIONS)('GIVEN a shell script with the line %j WHEN built THEN a ConfigError names the line', (line) => {
    // GIVEN
    const script = `#!/bin/bash\ncat >/etc/motd <<'EOF'\n${line}\nEOF\n`;
    // WHEN
    const attempt = () => UserDataPart.shellScript(script);
    // THEN
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(`UserDataPart: body line 3 ${JSON.stringify(line)} is invalid: no line may start with "--//"`);
  });

  test('GIVEN a raw part whose first body line is "--//--" WHEN built THEN it is refused', () => {
    expect(() => UserDataPart.raw('text/cloud-config', '--//--\n#cloud-config\n')).toThrow('body line 1 "--//--"');
  });

  test('GIVEN a NodeConfig whose containerd config holds a "--//" line WHEN built THEN YAML indents the line, so no line starts with "--//"', () => {
    const part = UserDataPart.nodeConfig({ containerd: { config: 'a = 1\n--//\nb = 2\n' } });
    expect(part.body).toMatch(/^ +--\/\/$/m);
    expect(karpenterBoundaryLine(part.body)).toBeUndefined();
  });

  test('GIVEN lines that only contain "--//" further in, or start with "-//" or " --//" WHEN built THEN they are accepted', () => {
    for (const line of ['echo "--//"', '-//', ' --//', 'x--//--']) {
      expect(() => UserDataPart.shellScript(`#!/bin/bash\n${line}\n`)).not.toThrow();
    }
  });

  test('GIVEN a content type with a line break WHEN built THEN it is refused (a header could be injected)', () => {
    expect(() => UserDataPart.raw('text/plain\n;\n--//', 'x')).toThrow('UserDataPart.raw: contentType');
    expect(() => UserDataPart.raw('text/plain;\nX-Other: 1', 'x')).toThrow(ConfigError);
  });

  test('karpenterBoundaryLine reports the first offending line, 1-based', () => {
    expect(karpenterBoundaryLine('a\nb\n--//--\n--//')).toEqual({ line: 3, text: '--//--' });
    expect(karpenterBoundaryLine('a\n --//')).toBeUndefined();
  });
});

describe('composeAl2023UserData checks the user\'s parts again', () => {
  test('GIVEN a plain object posing as a part, with a boundary line WHEN composed THEN a ConfigError names partsAfter[0]', () => {
    // GIVEN an object that skipped the factories (a JavaScript caller)
    const forged = { contentType: 'text/x-shellscript', body: '#!/bin/bash\n--//--\n' } as unknown as UserDataPart;
    // WHEN
    const attempt = () => composeAl2023UserData('SociBootstrap.native', [], { partsAfter: [forged] });
    // THEN
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow('SociBootstrap.native: partsAfter[0].body line 2 "--//--" is invalid');
  });
});

test('GIVEN a plain object posing as a part, without a boundary line WHEN composed THEN it is refused all the same', () => {
  const forged = { contentType: 'text/x-shellscript', body: '#!/bin/bash\ntrue\n' } as unknown as UserDataPart;
  expect(() => composeAl2023UserData('SociBootstrap.native', [], { partsBefore: [forged] })).toThrow('partsBefore[0] {"contentType"');
});
