import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ApiObject, App, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { synthToDist } from '../../lib/output';

function configMap(scope: Construct, id: string, name: string): void {
  new ApiObject(scope, id, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { a: 'b' } });
}

/** Every path under root, except those under root/project/dist. */
function outsideDist(root: string): string[] {
  return fs.readdirSync(root, { recursive: true }).map(String).filter((p) => !p.startsWith(path.join('project', 'dist'))).sort();
}

/** A project folder two levels below a temporary root, so an escape of up to three levels stays in the root. */
function project(): { root: string; outdir: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'contained-'));
  fs.mkdirSync(path.join(root, 'project'));
  fs.writeFileSync(path.join(root, 'project', 'main.ts'), '// the app\n');
  return { root, outdir: path.join(root, 'project', 'dist') };
}

describe('file names made from object names and chart ids stay inside the output folder', () => {
  test.each([
    ['an object name with slashes', 'x/../../escaped', 'my-cluster/Escape', /my-cluster\/Escape: metadata\.name "x\/\.\.\/\.\.\/escaped" is invalid: a DNS-1123 name/],
    ['a ConfigMap named ../../../escaped-configmap', '../../../escaped-configmap', 'my-cluster/Escape', /my-cluster\/Escape: metadata\.name "\.\.\/\.\.\/\.\.\/escaped-configmap" is invalid/],
  ])('%s is refused with the construct path, and nothing is written', (_case, name, _path, message) => {
    // GIVEN an app with an object whose name would leave the folder
    const { root, outdir } = project();
    const before = outsideDist(root);
    const app = new App();
    configMap(new Chart(app, 'my-cluster'), 'Escape', name);

    // WHEN / THEN
    expect(() => synthToDist(app, { outdir })).toThrow(message);
    expect(outsideDist(root)).toEqual(before);
    expect(fs.existsSync(outdir)).toBe(false);
  });

  test("a chart id '..' is refused with its construct path, and nothing is written", () => {
    // GIVEN
    const { root, outdir } = project();
    const before = outsideDist(root);
    const app = new App();
    configMap(new Chart(app, '..'), 'Config', 'config');

    // WHEN / THEN
    expect(() => synthToDist(app, { outdir })).toThrow(/^\.\.: chart id "\.\." is invalid: a folder name of letters, digits/);
    expect(outsideDist(root)).toEqual(before);
    expect(fs.existsSync(outdir)).toBe(false);
  });

  test('an object kind that is not a plain word is refused', () => {
    const { outdir } = project();
    const app = new App();
    new ApiObject(new Chart(app, 'my-cluster'), 'Odd', { apiVersion: 'v1', kind: '../Odd', metadata: { name: 'odd' } });
    expect(() => synthToDist(app, { outdir })).toThrow(/my-cluster\/Odd: kind "\.\.\/Odd" is invalid/);
  });
});

describe('each cluster gets a folder of its own', () => {
  test('two nested charts with the same id are an error naming both construct paths', () => {
    // GIVEN team-a/prod and team-b/prod, which would both become dist/prod/
    const { outdir } = project();
    const app = new App();
    for (const team of ['team-a', 'team-b']) configMap(new Chart(new Construct(app, team), 'prod'), 'Config', `${team}-config`);

    // WHEN / THEN
    expect(() => synthToDist(app, { outdir })).toThrow(/team-b\/prod: chart id "prod" is invalid: .*team-a\/prod/);
    expect(fs.existsSync(outdir)).toBe(false);
  });

  test('folder names that differ only in case are refused too (they are one folder on macOS and Windows)', () => {
    const { outdir } = project();
    const app = new App();
    configMap(new Chart(app, 'Prod'), 'Config', 'a');
    configMap(new Chart(app, 'prod'), 'Config', 'b');
    expect(() => synthToDist(app, { outdir })).toThrow(/prod: chart id "prod" is invalid: .*Prod/);
  });
});
