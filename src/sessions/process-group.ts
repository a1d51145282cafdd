// Process groups of agent processes, read from /proc (Linux): who is still running, ending a whole
// group, and whether a pid is still the process devflow started.
import { readdir, readFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";

interface ProcStat {
  readonly state: string;
  readonly pgid: number;
}

/** State and process group of `pid` from /proc/<pid>/stat, or undefined when there is no such process. */
async function procStat(pid: number): Promise<ProcStat | undefined> {
  const text = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => undefined);
  if (text === undefined) return undefined;
  // "pid (comm) state ppid pgrp …": comm may hold spaces and parentheses, so split after the last ")".
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  return { state: fields[0] ?? "", pgid: Number(fields[2]) };
}

/** Whether `pid` runs (exists and is not a zombie waiting for its parent). */
export async function isRunning(pid: number): Promise<boolean> {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
  const stat = await procStat(pid);
  return stat === undefined ? true : stat.state !== "Z";
}

/** The running (non-zombie) members of process group `pgid`. */
export async function groupMembers(pgid: number): Promise<number[]> {
  if (!isGroupId(pgid)) return [];
  const entries = await readdir("/proc").catch(() => undefined);
  if (entries === undefined) return groupSignalable(pgid) ? [pgid] : []; // no /proc: best effort
  const members: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await procStat(Number(entry));
    if (stat !== undefined && stat.pgid === pgid && stat.state !== "Z") members.push(Number(entry));
  }
  return members;
}

function isGroupId(pgid: number): boolean {
  return Number.isInteger(pgid) && pgid > 1;
}

function groupSignalable(pgid: number): boolean {
  if (!isGroupId(pgid)) return false;
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Sends `signal` to every process of group `pgid`; false when the group is gone. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  if (!isGroupId(pgid)) return false; // -0 would be devflow's own group, -1 every process it may signal
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

async function groupGoneWithin(pgid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if ((await groupMembers(pgid)).length === 0) return true;
    if (Date.now() >= deadline) return false;
    await sleep(25);
  }
}

/**
 * Ends every process of group `pgid`: SIGTERM, then SIGKILL for whatever still runs after `graceMs`.
 * Resolves when no member runs any more (true), or false if some survived SIGKILL for 5 s
 * (a process stuck in the kernel).
 */
export async function endProcessGroup(pgid: number, graceMs: number): Promise<boolean> {
  if (!signalGroup(pgid, "SIGTERM")) return true;
  if (await groupGoneWithin(pgid, graceMs)) return true;
  signalGroup(pgid, "SIGKILL");
  return groupGoneWithin(pgid, 5_000);
}

/** Whether process `pid` was started with `entry` (e.g. `HOME=/…/session/home`) in its environment. */
export async function environmentHolds(pid: number, entry: string): Promise<boolean> {
  const environ = await readFile(`/proc/${pid}/environ`).catch(() => undefined);
  return environ?.toString("utf8").split("\0").includes(entry) === true;
}
