import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cdk8sPluginProperties } from '../../lib/output';

describe('cdk8sPluginProperties', () => {
  test("GIVEN cdk8s.yaml with the plugin's properties WHEN read THEN the app's check gets them; other plugins' entries are ignored", () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-yaml-')), 'cdk8s.yaml');
    fs.writeFileSync(file, [
      'app: node main.js',
      'validations:',
      '  - { package: ./other.js, version: 1.0.0, class: Other, properties: { helm: false } }',
      '  - { package: ./plugin/karpenter-soci-validation.js, version: 0.0.0, class: KarpenterSociValidation, properties: { helm: true, helmEscaping: true } }',
      '',
    ].join('\n'));
    expect(cdk8sPluginProperties(file)).toEqual({ helm: true, helmEscaping: true });
  });

  test("GIVEN this project's cdk8s.yaml (no properties) or no file THEN none", () => {
    expect(cdk8sPluginProperties(path.resolve(__dirname, '../../cdk8s.yaml'))).toEqual({});
    expect(cdk8sPluginProperties(path.join(os.tmpdir(), 'no-such-cdk8s.yaml'))).toEqual({});
  });
});
