/**
 * The validator's view of a rendered manual install: user data the builder
 * would refuse (edited by hand, produced elsewhere) is reported when it lets
 * others run code as root or read secrets.
 */
import { SociBootstrap } from '../../lib/bootstrap';
import { describeValue } from '../../lib/errors';
import { formatFinding, validateManifests } from '../../lib/validation';
import { setAt, validNodeClass, validNodePool } from './fixtures';

const AMD64 = 'ab'.repeat(32);
const ARM64 = 'cd'.repeat(32);
/** What the builder renders for a plain-http mirror with both digests pinned. */
const INSECURE_PINNED = SociBootstrap.manualInstall({ mirrorBaseUrl: 'http://mirror.internal/soci', allowInsecureMirror: true, sha256: { amd64: AMD64, arm64: ARM64 } }).renderUserData()!;

function manualFindings(userData: string) {
  const nodeClass = setAt(validNodeClass(), '/spec/userData', userData);
  return validateManifests([nodeClass, validNodePool()]).errors.filter((f) => f.rule === 'soci-manual-install');
}

describe('GIVEN what the builder renders', () => {
  test.each([
    ['an http mirror with both digests pinned', INSECURE_PINNED],
    ['the defaults', SociBootstrap.manualInstall().renderUserData()!],
    ['a dedicated root below /var/lib', SociBootstrap.manualInstall({ sociRoot: '/var/lib/soci-snapshotter-grpc' }).renderUserData()!],
  ])('WHEN %s is validated THEN no manual-install finding', (_, userData) => {
    expect(manualFindings(userData)).toEqual([]);
  });
});

describe('plain http without a pin for every architecture (item: insecure mirror)', () => {
  test.each([
    ['arm64', INSECURE_PINNED.replace(`[arm64]='${ARM64}'`, "[arm64]=''")],
    ['amd64', INSECURE_PINNED.replace(`[amd64]='${AMD64}'`, "[amd64]=''")],
  ])('GIVEN the %s pin removed by hand WHEN validated THEN an error at that pin', (arch, userData) => {
    // WHEN
    const findings = manualFindings(userData);
    // THEN
    expect(findings.map((f) => f.jsonPath)).toEqual([`/spec/userData[part 2]/PINNED/${arch}`]);
    expect(findings[0].message).toContain('anyone on the path can serve a forged archive with a matching .sha256sum');
  });

  test('GIVEN both pins removed from an https-only script WHEN validated THEN no finding: curl refuses plain http there', () => {
    const httpsOnly = SociBootstrap.manualInstall().renderUserData()!;
    expect(httpsOnly).toContain("[amd64]='' [arm64]=''");
    expect(manualFindings(httpsOnly)).toEqual([]);
  });
});

describe('credentials in the release URL (item: secrets in user data)', () => {
  test('GIVEN user:password@ written into BASE_URL WHEN validated THEN an error that does not repeat them', () => {
    // GIVEN
    const userData = INSECURE_PINNED.replace("BASE_URL='http://mirror.internal/soci'", "BASE_URL='http://deploy:s3cr3t@mirror.internal/soci'");
    // WHEN
    const findings = manualFindings(userData);
    // THEN
    expect(findings.map((f) => f.jsonPath)).toEqual(['/spec/userData[part 2]/BASE_URL']);
    expect(formatFinding(findings[0])).not.toContain('s3cr3t');
    expect(describeValue(findings[0].value)).toBe('(a URL with credentials; not shown)');
  });
});

describe('SOCI root outside a dedicated directory (item: sociRoot)', () => {
  test.each(['/', '/etc', '/var/lib/containerd', '/usr', '/var/lib/kubelet', '/tmp/soci'])('GIVEN --root %s written into the unit WHEN validated THEN an error naming it', (root) => {
    // GIVEN
    const userData = INSECURE_PINNED.replace(/--root \S+ /, `--root ${root} `);
    // WHEN
    const findings = manualFindings(userData);
    // THEN
    expect(findings).toEqual([expect.objectContaining({ jsonPath: '/spec/userData[part 2]/soci-snapshotter.service/ExecStart/--root', value: root })]);
    expect(findings[0].message).toMatch(/^SOCI's --root is not a directory of its own \(it is /);
  });
});
