import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ts from 'typescript';

const SOURCE = path.resolve(__dirname, '../../lib/validation/precompiled-files.ts');

/** The module, compiled to CommonJS and placed at `folder` of a fresh project, as source, build or bundle layouts put it. */
function moduleIn(project: string, folder: string): { precompiledFile(name: string): string | undefined } {
  const { outputText } = ts.transpileModule(fs.readFileSync(SOURCE, 'utf8'), { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } });
  const file = path.join(project, folder, 'precompiled-files.js');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, outputText);
  return require(file);
}

function projectWithBuiltFile(): string {
  const project = fs.mkdtempSync(path.join(os.tmpdir(), 'precompiled-files-'));
  fs.mkdirSync(path.join(project, 'build/lib/validation'), { recursive: true });
  fs.writeFileSync(path.join(project, 'build/lib/validation/trees.json'), '{}');
  return project;
}

describe('precompiledFile', () => {
  test('GIVEN the module run from source (lib/validation/) WHEN a file is asked for THEN the project build/ is used when nothing lies beside it', () => {
    const project = projectWithBuiltFile();
    expect(moduleIn(project, 'lib/validation').precompiledFile('trees.json')).toBe(path.join(project, 'build/lib/validation/trees.json'));
    expect(moduleIn(project, 'lib/validation').precompiledFile('missing.json')).toBeUndefined();
  });

  test('GIVEN the compiled module (build/lib/validation/) WHEN a file is asked for THEN the one beside it is used', () => {
    const project = projectWithBuiltFile();
    expect(moduleIn(project, 'build/lib/validation').precompiledFile('trees.json')).toBe(path.join(project, 'build/lib/validation/trees.json'));
  });

  test('GIVEN the plugin bundle (plugin/, beside build/ in the checkout and the installed package) WHEN a file is asked for THEN the package build/ is used', () => {
    const project = projectWithBuiltFile();
    expect(moduleIn(project, 'plugin').precompiledFile('trees.json')).toBe(path.join(project, 'build/lib/validation/trees.json'));
  });

  test('GIVEN any other folder WHEN a file is asked for THEN only its own folder counts, never a build/ it happens to sit near', () => {
    const project = projectWithBuiltFile();
    expect(moduleIn(project, 'bundles').precompiledFile('trees.json')).toBeUndefined();
    expect(moduleIn(project, 'build').precompiledFile('trees.json')).toBeUndefined();
  });
});
