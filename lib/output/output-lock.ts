import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** Options of {@link withOutputLock}. */
export interface OutputLockOptions {
  /**
   * How long to wait for another synth of the same folder before giving up.
   * @default 60_000
   */
  readonly timeoutMs?: number;
  /**
   * Where waiting and stale-lock messages go.
   * @default - standard error
   */
  readonly log?: (line: string) => void;
}

/** Thrown when another synth still holds the folder's lock after the timeout. */
export class OutputLockedError extends Error {
  public override readonly name = 'OutputLockedError';
}

/** Who holds a lock: written into the lock file. */
interface LockOwner {
  readonly pid: number;
  readonly host: string;
}

const POLL_MS = 100;

/** Locks this process holds, with how many nested calls hold each. */
const held = new Map<string, number>();

/** The lock file of an output folder: `.<name>.lock` beside it. */
export function lockFileOf(folder: string): string {
  return path.join(path.dirname(folder), `.${path.basename(folder)}.lock`);
}

/**
 * Runs `fn` while holding the output folder's lock, so that two synths of one
 * folder never interleave: a second one waits (up to `timeoutMs`) and then runs,
 * or fails naming the lock file and its owner. A lock whose owner died on this
 * host is stale and taken over, saying so. Nested calls in one process share the lock.
 */
export function withOutputLock<T>(folder: string, fn: () => T, options: OutputLockOptions = {}): T {
  const lockFile = lockFileOf(folder);
  if (held.has(lockFile)) {
    held.set(lockFile, held.get(lockFile)! + 1);
    try {
      return fn();
    } finally {
      held.set(lockFile, held.get(lockFile)! - 1);
    }
  }
  acquire(lockFile, options);
  held.set(lockFile, 1);
  try {
    return fn();
  } finally {
    held.delete(lockFile);
    release(lockFile);
  }
}

function acquire(lockFile: string, options: OutputLockOptions): void {
  const log = options.log ?? ((line: string) => console.error(line));
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  const mine = JSON.stringify({ pid: process.pid, host: os.hostname() } satisfies LockOwner);
  fs.mkdirSync(path.dirname(lockFile), { recursive: true });
  let waiting = false;
  for (;;) {
    if (tryCreate(lockFile, mine)) return;
    const owner = readOwner(lockFile);
    if (owner && isStale(owner)) {
      if (takeOver(lockFile, owner)) log(`synth: took over the stale lock ${lockFile} of pid ${owner.pid}, which no longer runs`);
      continue;
    }
    const who = owner ? `pid ${owner.pid} on host ${owner.host}` : 'an unknown process';
    if (Date.now() >= deadline) {
      throw new OutputLockedError(
        `another synth (${who}) has held the lock ${lockFile} for ${(options.timeoutMs ?? 60_000) / 1000} s; gave up waiting. ` +
          'If no synth is running, delete the lock file.',
      );
    }
    if (!waiting) log(`synth: waiting for another synth (${who}) to finish; lock file ${lockFile}`);
    waiting = true;
    sleep(POLL_MS);
  }
}

/** Creates the lock file with its full content in one step: written aside, then hard-linked into place (fails if it exists). */
function tryCreate(lockFile: string, content: string): boolean {
  const temporary = `${lockFile}.${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
  fs.writeFileSync(temporary, content);
  try {
    fs.linkSync(temporary, lockFile);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    fs.rmSync(temporary, { force: true });
  }
}

function readOwner(lockFile: string): LockOwner | undefined {
  try {
    const owner = JSON.parse(fs.readFileSync(lockFile, 'utf8')) as LockOwner;
    return Number.isInteger(owner.pid) && typeof owner.host === 'string' ? owner : undefined;
  } catch {
    return undefined; // gone in the meantime, or not ours
  }
}

/** Only a lock of this host can be judged: its owner's pid no longer runs. */
function isStale(owner: LockOwner): boolean {
  if (owner.host !== os.hostname()) return false;
  try {
    process.kill(owner.pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * Removes a stale lock without ever removing a live one: the lock is renamed aside
 * (only one of several contenders can), and put back if it turns out to be another
 * contender's fresh lock rather than the stale one.
 */
function takeOver(lockFile: string, stale: LockOwner): boolean {
  const aside = `${lockFile}.stale-${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
  try {
    fs.renameSync(lockFile, aside);
  } catch {
    return false; // another contender moved it first
  }
  const moved = readOwner(aside);
  if (moved && (moved.pid !== stale.pid || moved.host !== stale.host)) {
    try {
      fs.linkSync(aside, lockFile);
    } catch {
      // a third process created a lock meanwhile; it holds the folder now
    }
  }
  fs.rmSync(aside, { force: true });
  return !moved || (moved.pid === stale.pid && moved.host === stale.host);
}

function release(lockFile: string): void {
  const owner = readOwner(lockFile);
  if (owner?.pid === process.pid && owner.host === os.hostname()) fs.rmSync(lockFile, { force: true });
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
