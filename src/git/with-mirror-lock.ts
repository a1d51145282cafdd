// Serialises changes to one mirror (clone, fetch, worktree add/remove, ref updates): in one process through
// a promise chain per mirror, across processes on the host through a lock file `<mirror>.lock` beside it.
// The lock file is created complete (written aside, then hard-linked into place, which fails if it exists)
// and names its holder; a lock whose holder process is gone is broken. Breaking a stale lock is best
// effort — correctness of a clone never rests on it (ensureMirror renames a finished clone into place).
import { randomUUID } from "node:crypto";
import { link, mkdir, readFile, stat, unlink, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { dirname } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { DevflowError } from "../errors/index.js";
import { canonicalPath } from "./canonical-path.js";

export interface MirrorLockOptions {
  /** How long to wait for another process before giving up; default 15 minutes. */
  timeoutMs?: number;
}

const chains = new Map<string, Promise<void>>();

export async function withMirrorLock<T>(
  mirrorPath: string,
  fn: () => Promise<T>,
  options: MirrorLockOptions = {},
): Promise<T> {
  // Canonical, so that a path through a symlink and the real one share a chain.
  const key = await canonicalPath(mirrorPath);
  const previous = chains.get(key) ?? Promise.resolve();
  const run = previous.then(() => holdLockFile(`${key}.lock`, fn, options.timeoutMs ?? 15 * 60_000));
  const tail = run.then(
    () => undefined,
    () => undefined,
  );
  chains.set(key, tail);
  try {
    return await run;
  } finally {
    if (chains.get(key) === tail) chains.delete(key);
  }
}

interface Holder {
  pid: number;
  host: string;
  token: string;
}

async function holdLockFile<T>(lockPath: string, fn: () => Promise<T>, timeoutMs: number): Promise<T> {
  const me: Holder = { pid: process.pid, host: hostname(), token: randomUUID() };
  const content = JSON.stringify(me);
  await mkdir(dirname(lockPath), { recursive: true });
  const aside = `${lockPath}.${me.token}`;
  await writeFile(aside, content);
  const started = Date.now();
  try {
    for (let wait = 25; ; wait = Math.min(wait * 2, 500)) {
      if (await createLockFile(lockPath, aside, content)) break;
      const held = await readFile(lockPath, "utf8").catch(() => undefined);
      if (held === undefined) continue; // released meanwhile
      if (await isStale(lockPath, held)) {
        if ((await readFile(lockPath, "utf8").catch(() => undefined)) === held) await unlinkQuietly(lockPath);
        continue;
      }
      if (Date.now() - started > timeoutMs) {
        throw new DevflowError(`The mirror lock ${lockPath} has been held by another process for too long.`, {
          code: "mirror_locked",
          details: { lockPath, holder: parseHolder(held) ?? held },
        });
      }
      await sleep(wait);
    }
  } finally {
    await unlinkQuietly(aside);
  }
  try {
    return await fn();
  } finally {
    if ((await readFile(lockPath, "utf8").catch(() => undefined)) === content) await unlinkQuietly(lockPath);
  }
}

/** Creates the lock file complete, or returns false when it exists. */
async function createLockFile(lockPath: string, aside: string, content: string): Promise<boolean> {
  try {
    await link(aside, lockPath);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    // A file system without hard links: create it exclusively and write it (briefly empty).
  }
  try {
    await writeFile(lockPath, content, { flag: "wx" });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  }
}

async function isStale(lockPath: string, held: string): Promise<boolean> {
  const holder = parseHolder(held);
  if (holder === undefined) {
    // Not written by this code: stale only once it is clearly old.
    const info = await stat(lockPath).catch(() => undefined);
    return info !== undefined && Date.now() - info.mtimeMs > 60_000;
  }
  return holder.host === hostname() && !isAlive(holder.pid);
}

function parseHolder(text: string): Holder | undefined {
  try {
    const value = JSON.parse(text) as Partial<Holder>;
    if (typeof value.pid === "number" && typeof value.host === "string" && typeof value.token === "string") {
      return value as Holder;
    }
  } catch {
    // fall through
  }
  return undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

async function unlinkQuietly(path: string): Promise<void> {
  await unlink(path).catch(() => undefined);
}
