#!/usr/bin/env node
/**
 * The stamp that says which sources build/ was compiled from, so the app's
 * launcher (scripts/run-app.mjs) never runs stale JavaScript.
 *
 *   node scripts/build-stamp.cjs snapshot   # before tsc: size, mtime and sha1 of every source
 *   node scripts/build-stamp.cjs commit     # after tsc succeeded: the snapshot becomes build/'s stamp
 *
 * The snapshot is taken before compiling, so a file edited while tsc runs no
 * longer matches the stamp and counts as stale. A failed tsc leaves no stamp.
 * The sources are everything tsconfig.build.json includes (whole folders, so a
 * JSON or other file beside the TypeScript counts too), both tsconfig files and
 * package-lock.json (the bundle build/app.js holds the dependencies' code).
 */
// CommonJS, so jest's tests can load it in their own process (jest runs no ES modules).
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const PROJECT_DIR = path.resolve(__dirname, '..');
const BUILD_CONFIG = 'tsconfig.build.json';
/** Also stamped: the compiler settings, and the lockfile, since build/app.js bundles the dependencies it pins. */
const CONFIGS = ['tsconfig.json', BUILD_CONFIG, 'package-lock.json'];
const STAMP = '.sources.json';
const PENDING = '.sources.pending.json';
const SKIPPED_DIRS = new Set(['node_modules', '.git']);

/** The folders and files tsconfig.build.json includes: each pattern up to its first wildcard. */
function sourceRoots(root) {
  const text = fs.readFileSync(path.join(root, BUILD_CONFIG), 'utf8');
  // tsconfig allows whole-line comments; the project's config uses no other kind.
  const config = JSON.parse(text.split('\n').filter((line) => !line.trim().startsWith('//')).join('\n'));
  const outDir = config.compilerOptions?.outDir ?? 'build';
  const roots = (config.include ?? []).map((pattern) => {
    const fixed = [];
    for (const part of pattern.split('/')) {
      if (/[*?]/.test(part)) break;
      fixed.push(part);
    }
    return fixed.join('/');
  });
  return { outDir, roots: [...new Set([...roots.filter((r) => r !== ''), ...CONFIGS])] };
}

/** Relative paths of every file under the roots, sorted. */
function sourceFiles(root, roots) {
  const files = [];
  const visit = (relative) => {
    const full = path.join(root, relative);
    let stat;
    try {
      stat = fs.statSync(full);
    } catch {
      return; // an included path that does not exist compiles nothing
    }
    if (stat.isDirectory()) {
      for (const name of fs.readdirSync(full)) if (!SKIPPED_DIRS.has(name)) visit(path.posix.join(relative, name));
    } else if (stat.isFile()) {
      files.push(relative);
    }
  };
  roots.forEach(visit);
  return files.sort();
}

function sha1(file) {
  return createHash('sha1').update(fs.readFileSync(file)).digest('hex');
}

/** Size, mtime and content hash of every source, keyed by relative path. */
function snapshotSources(root = PROJECT_DIR) {
  const { outDir, roots } = sourceRoots(root);
  const files = {};
  for (const file of sourceFiles(root, roots)) {
    const full = path.join(root, file);
    const { size, mtimeMs } = fs.statSync(full);
    files[file] = { size, mtimeMs, sha1: sha1(full) };
  }
  return { outDir, stamp: { version: 1, roots, files } };
}

/**
 * Whether build/ was compiled from the sources as they are now. Cheap: a stat of
 * every file; a file is read and hashed only when its mtime moved (a checkout or
 * a save without changes keeps the build fresh).
 *
 * @returns `{ fresh: true, outDir }`, or `{ fresh: false, reason }` naming the first difference
 */
function buildFreshness(root = PROJECT_DIR) {
  let outDir;
  let roots;
  try {
    ({ outDir, roots } = sourceRoots(root));
  } catch (err) {
    return { fresh: false, reason: err.code === 'ENOENT' ? `there is no ${BUILD_CONFIG}` : `${BUILD_CONFIG} is unreadable (${err.message})` };
  }
  let stamp;
  try {
    stamp = JSON.parse(fs.readFileSync(path.join(root, outDir, STAMP), 'utf8'));
  } catch {
    return { fresh: false, reason: `${outDir}/ has no stamp (run npm run build)` };
  }
  if (stamp.version !== 1 || JSON.stringify(stamp.roots) !== JSON.stringify(roots)) return { fresh: false, reason: `${outDir}/ was built with other sources` };
  const files = sourceFiles(root, roots);
  const stamped = Object.keys(stamp.files);
  if (files.length !== stamped.length || files.some((file, i) => file !== stamped[i])) {
    const added = files.find((f) => !(f in stamp.files));
    return { fresh: false, reason: added ? `${added} is newer than ${outDir}/` : `${stamped.find((f) => !files.includes(f))} was removed since ${outDir}/ was built` };
  }
  for (const file of files) {
    const before = stamp.files[file];
    const full = path.join(root, file);
    const { size, mtimeMs } = fs.statSync(full);
    if (size !== before.size || (mtimeMs !== before.mtimeMs && sha1(full) !== before.sha1)) {
      return { fresh: false, reason: `${file} changed since ${outDir}/ was built` };
    }
  }
  return { fresh: true, outDir };
}

const USAGE = `Usage: node scripts/build-stamp.cjs snapshot|commit|fresh

Records which sources build/ is compiled from (npm run build runs both steps around tsc):
  snapshot   size, mtime and sha1 of every file tsconfig.build.json includes, into build/${PENDING}
  commit     after tsc succeeded: build/${PENDING} becomes build/${STAMP}
  fresh      exit 0 when build/ matches every source, else say why and exit 1
             (prepack and prepare build only then, so npm pack builds once at most)
scripts/run-app.mjs runs the compiled app only while every source still matches the stamp.
`;

/**
 * The command line: `snapshot`, `commit` or `fresh`, for the project at `root` (exported so
 * tests can run both steps of a build on a project of their own, in their own process).
 */
function main(argv, root = PROJECT_DIR) {
  const [command] = argv;
  if (command === 'snapshot') {
    const { outDir, stamp } = snapshotSources(root);
    fs.mkdirSync(path.join(root, outDir), { recursive: true });
    fs.rmSync(path.join(root, outDir, STAMP), { force: true });
    fs.writeFileSync(path.join(root, outDir, PENDING), `${JSON.stringify(stamp, null, 1)}\n`);
  } else if (command === 'fresh') {
    const freshness = buildFreshness(root);
    if (!freshness.fresh) {
      console.error(`build: ${freshness.reason}; building`);
      process.exitCode = 1;
    }
  } else if (command === 'commit') {
    const { outDir } = sourceRoots(root);
    fs.renameSync(path.join(root, outDir, PENDING), path.join(root, outDir, STAMP));
  } else {
    process.stdout.write(USAGE);
    if (command !== '--help' && command !== '-h') process.exitCode = 2;
  }
}

module.exports = { PROJECT_DIR, buildFreshness, main, snapshotSources };

if (require.main === module) main(process.argv.slice(2));
