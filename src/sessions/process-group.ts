// Process groups of agent processes, read from /proc (Linux): who is still running, ending a whole
// group, and whether a pid is still the process devflow started.
import { readdir, readFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";

interface ProcStat {
  readonly state: string;
  readonly ppid: number;
  readonly pgid: number;
  /** Clock ticks after boot: with the pid, names one process even after its pid is reused. */
  readonly startTime: string;
}

/** One process, as it was when seen: a pid is only signalled again while it still has this start time. */
export interface SeenProcess {
  readonly pid: number;
  readonly startTime: string;
}

/** State and process group of `pid` from /proc/<pid>/stat, or undefined when there is no such process. */
async function procStat(pid: number): Promise<ProcStat | undefined> {
  const text = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => undefined);
  if (text === undefined) return undefined;
  // "pid (comm) state ppid pgrp …": comm may hold spaces and parentheses, so split after the last ")".
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  return {
    state: fields[0] ?? "",
    ppid: Number(fields[1]),
    pgid: Number(fields[2]),
    startTime: fields[19] ?? "",
  };
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
 * Then the group's descendants seen before the first signal, which may sit in other groups (a
 * sandbox's init and everything in its PID namespace, or `setsid` children still attached to their
 * parent): SIGKILL, and wait until they no longer run. Resolves true when none runs any more, false if
 * some survived SIGKILL for 5 s (a process stuck in the kernel).
 */
export async function endProcessGroup(pgid: number, graceMs: number): Promise<boolean> {
  const tree = await descendantsOfGroup(pgid);
  let ended = true;
  if (signalGroup(pgid, "SIGTERM") && !(await groupGoneWithin(pgid, graceMs))) {
    signalGroup(pgid, "SIGKILL");
    ended = await groupGoneWithin(pgid, 5_000);
  }
  return (await endSeen(tree)) && ended;
}

/** SIGKILL for each process of `seen` that still runs (same pid and start time); true once none runs. */
export async function endSeen(seen: readonly SeenProcess[]): Promise<boolean> {
  const deadline = Date.now() + 5_000;
  for (let first = true; ; first = false) {
    const running: SeenProcess[] = [];
    for (const one of seen) if (await stillRuns(one)) running.push(one);
    if (running.length === 0) return true;
    if (Date.now() >= deadline) return false;
    if (first) for (const { pid } of running) signal(pid, "SIGKILL");
    await sleep(25);
  }
}

/** The process `pid` as it is now, to be recognised later (undefined when it does not run). */
export async function seeProcess(pid: number): Promise<SeenProcess | undefined> {
  const stat = await procStat(pid);
  return stat === undefined || stat.state === "Z" ? undefined : { pid, startTime: stat.startTime };
}

async function stillRuns(seen: SeenProcess): Promise<boolean> {
  const stat = await procStat(seen.pid);
  return stat !== undefined && stat.state !== "Z" && stat.startTime === seen.startTime;
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // gone already
  }
}

/** Every running descendant of the members of group `pgid`, whatever their own group or session. */
async function descendantsOfGroup(pgid: number): Promise<SeenProcess[]> {
  if (!isGroupId(pgid)) return [];
  const entries = await readdir("/proc").catch(() => [] as string[]);
  const all: (ProcStat & { pid: number })[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await procStat(Number(entry));
    if (stat !== undefined && stat.state !== "Z") all.push({ ...stat, pid: Number(entry) });
  }
  const inTree = new Set(all.filter((stat) => stat.pgid === pgid).map((stat) => stat.pid));
  for (let grew = true; grew; ) {
    grew = false;
    for (const stat of all) {
      if (!inTree.has(stat.pid) && inTree.has(stat.ppid)) {
        inTree.add(stat.pid);
        grew = true;
      }
    }
  }
  return all
    .filter((stat) => inTree.has(stat.pid) && stat.pgid !== pgid)
    .map(({ pid, startTime }) => ({ pid, startTime }));
}

/** Whether process `pid` was started with `entry` (e.g. `HOME=/…/session/home`) in its environment. */
export async function environmentHolds(pid: number, entry: string): Promise<boolean> {
  const environ = await readFile(`/proc/${pid}/environ`).catch(() => undefined);
  return environ?.toString("utf8").split("\0").includes(entry) === true;
}
