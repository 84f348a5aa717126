import { UserDataPart } from '../../lib/userdata';
import { BASE_BOUNDARY, chooseBoundary, renderMultipart } from '../../lib/userdata/multipart';
import { inspectWithPython } from '../support/python';

const script = (body: string) => UserDataPart.shellScript(`#!/bin/bash\n${body}\n`);

describe('renderMultipart', () => {
  test('writes headers, a blank line after each header block, parts in order and the closing delimiter', () => {
    // GIVEN
    const parts = [script('echo one'), UserDataPart.raw('text/cloud-config', '#cloud-config\n')];
    // WHEN
    const text = renderMultipart(parts);
    // THEN
    expect(text).toBe([
      'MIME-Version: 1.0',
      `Content-Type: multipart/mixed; boundary="${BASE_BOUNDARY}"`,
      '',
      `--${BASE_BOUNDARY}`,
      'Content-Type: text/x-shellscript; charset="us-ascii"',
      '',
      '#!/bin/bash',
      'echo one',
      `--${BASE_BOUNDARY}`,
      'Content-Type: text/cloud-config',
      '',
      '#cloud-config',
      `--${BASE_BOUNDARY}--`,
      '',
    ].join('\n'));
  });

  test('a part containing the base boundary gets the next absent one, and parsers still split it correctly', () => {
    // GIVEN parts that contain the base boundary and its first extension
    const tricky = [
      script(`echo "--${BASE_BOUNDARY}"`),
      script(`echo "--${BASE_BOUNDARY}1--"`),
    ];
    // WHEN
    const boundary = chooseBoundary(tricky);
    const text = renderMultipart(tricky);
    // THEN
    expect(boundary).toBe(`${BASE_BOUNDARY}2`);
    const [mime] = inspectWithPython({ mime: [text] }).mime;
    expect(mime.boundary).toBe(boundary);
    expect(mime.defects).toEqual([]);
    expect(mime.parts.map((p) => p.body)).toEqual([`#!/bin/bash\necho "--${BASE_BOUNDARY}"`, `#!/bin/bash\necho "--${BASE_BOUNDARY}1--"`]);
    expect(mime.cloudInitParts.map((p) => p.body)).toEqual(mime.parts.map((p) => p.body));
  });

  test('the boundary never occurs in any part, whatever the parts hold', () => {
    const bodies = ['', BASE_BOUNDARY, `${BASE_BOUNDARY}1${BASE_BOUNDARY}3`, '--', `x${BASE_BOUNDARY}12`];
    for (let i = 0; i < bodies.length; i++) {
      const parts = bodies.slice(0, i + 1).map((b) => script(b));
      const boundary = chooseBoundary(parts);
      expect(parts.every((p) => !p.body.includes(boundary) && !p.contentType.includes(boundary))).toBe(true);
    }
  });

  test('is deterministic', () => {
    const parts = [script('echo a'), UserDataPart.nodeConfig({ featureGates: { FastImagePull: true } })];
    expect(renderMultipart(parts)).toBe(renderMultipart([...parts]));
  });
});
