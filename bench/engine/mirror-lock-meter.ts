// Measures how long the worker holds each mirror's lock file (`<mirror>.lock`, created with link() and
// removed with unlink() by src/git/with-mirror-lock.ts): every git step that touches a mirror (fetch,
// worktree add, the ref update after a push) runs under it, one at a time per repository. It wraps
// fs/promises link/unlink (re-syncing the ESM named exports so the lock code sees the wrappers) and names
// each hold after the main git step run in the mirror while it was held.
import fsPromises from "node:fs/promises";
import { syncBuiltinESMExports } from "node:module";
import { gitSpawnListeners } from "./git-spawn-meter.js";

export interface MirrorLockStats {
  acquisitions: number;
  heldMs: number;
  /** Per kind of hold (its main git step): how many and their summed hold time. */
  byKind: Record<string, { count: number; ms: number }>;
}

const LOCK_SUFFIX = ".lock";

export function installMirrorLockMeter(): () => MirrorLockStats {
  const stats: MirrorLockStats = { acquisitions: 0, heldMs: 0, byKind: {} };
  const holds = new Map<string, { since: number; steps: string[] }>();
  gitSpawnListeners.push((name, cwd) => {
    if (cwd !== undefined) holds.get(cwd)?.steps.push(name);
  });
  const { link, unlink } = fsPromises;
  fsPromises.link = async (existing, target) => {
    await link(existing, target);
    const path = String(target);
    if (path.endsWith(LOCK_SUFFIX)) {
      stats.acquisitions += 1;
      holds.set(path.slice(0, -LOCK_SUFFIX.length), { since: performance.now(), steps: [] });
    }
  };
  fsPromises.unlink = async (target) => {
    await unlink(target);
    const path = String(target);
    const mirror = path.endsWith(LOCK_SUFFIX) ? path.slice(0, -LOCK_SUFFIX.length) : undefined;
    const hold = mirror === undefined ? undefined : holds.get(mirror);
    if (mirror === undefined || hold === undefined) return;
    holds.delete(mirror);
    const heldMs = performance.now() - hold.since;
    stats.heldMs += heldMs;
    const kind = holdKind(hold.steps);
    const entry = stats.byKind[kind] ?? { count: 0, ms: 0 };
    entry.count += 1;
    entry.ms += heldMs;
    stats.byKind[kind] = entry;
  };
  syncBuiltinESMExports();
  return () => structuredClone(stats);
}

function holdKind(steps: readonly string[]): string {
  if (steps.includes("fetch")) return "fetch (prepare)";
  if (steps.includes("worktree add")) return "worktree add (prepare)";
  if (steps.includes("update-ref")) return "update-ref (after a push)";
  return steps.length > 0 ? `other (${steps.join("+")})` : "other (no git)";
}
