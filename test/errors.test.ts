import { ConfigError, describeValue, MAX_SHOWN_CHARS, Redacted } from '../lib/errors';

describe('ConfigError messages', () => {
  test('GIVEN a value of 5,000 characters WHEN it is refused THEN the message shows its first 80 and its length', () => {
    // GIVEN
    const value = `${'a'.repeat(MAX_SHOWN_CHARS)}${'b'.repeat(4920)}`;
    // WHEN
    const error = new ConfigError('SociBootstrap.manualInstall', 'mirrorBaseUrl', value, 'an https:// URL');
    // THEN
    expect(error.message).toBe(`SociBootstrap.manualInstall: mirrorBaseUrl "${'a'.repeat(80)}"... (5000 characters) is invalid: an https:// URL`);
    expect(error.message).not.toContain('b');
  });

  test('GIVEN a value of exactly 80 characters WHEN described THEN it is shown whole', () => {
    expect(describeValue('x'.repeat(80))).toBe(`"${'x'.repeat(80)}"`);
  });

  test('GIVEN a large object WHEN described THEN its compact JSON is cut the same way', () => {
    const value = { parts: Array.from({ length: 50 }, (_, i) => `part-${i}`) };
    const json = JSON.stringify(value);
    expect(describeValue(value)).toBe(`${json.slice(0, 80)}... (${json.length} characters)`);
  });

  test('GIVEN a Redacted value WHEN refused THEN the message describes it and repeats nothing of the secret', () => {
    // GIVEN
    const secret = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----';
    // WHEN
    const error = new ConfigError('userdata', 'cluster.certificateAuthority', new Redacted('a PEM "PRIVATE KEY" block'), 'CERTIFICATE blocks only');
    // THEN
    expect(error.message).toBe('userdata: cluster.certificateAuthority (a PEM "PRIVATE KEY" block; not shown) is invalid: CERTIFICATE blocks only');
    expect(error.message).not.toContain(secret.split('\n')[1]);
  });

  test('undefined, numbers and short strings read as before', () => {
    expect(describeValue(undefined)).toBe('(not set)');
    expect(describeValue(-1)).toBe('-1');
    expect(describeValue('16MiB')).toBe('"16MiB"');
  });
});
