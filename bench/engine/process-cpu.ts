// CPU used by this process and by the children it has waited for (git, for the worker), from
// /proc/self/stat (Linux; zeros elsewhere). Children count once they have exited and been reaped.
import { readFileSync } from "node:fs";

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

export interface ProcessCpu {
  selfMs: number;
  childrenMs: number;
}

function statFields(pid: number | "self"): number[] {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  return stat
    .slice(stat.lastIndexOf(")") + 2)
    .split(" ")
    .map(Number);
}

/** CPU (user + system, ms) another process on this machine has used, or undefined if it cannot be read. */
export function otherProcessCpuMs(pid: number): number | undefined {
  try {
    const fields = statFields(pid);
    return ((fields[11] ?? 0) + (fields[12] ?? 0)) * (1000 / TICKS_PER_SECOND);
  } catch {
    return undefined;
  }
}

export function processCpu(): ProcessCpu {
  try {
    // Fields after "(comm)": state is field 3; utime, stime, cutime, cstime are fields 14–17.
    const fields = statFields("self");
    const tick = 1000 / TICKS_PER_SECOND;
    return {
      selfMs: ((fields[11] ?? 0) + (fields[12] ?? 0)) * tick,
      childrenMs: ((fields[13] ?? 0) + (fields[14] ?? 0)) * tick,
    };
  } catch {
    return { selfMs: 0, childrenMs: 0 };
  }
}

/** CPU per process id, for processes this bench can see (a local Postgres's backends, a local Redis). */
export type CpuByPid = Map<number, number>;

export function cpuOf(pids: readonly number[]): CpuByPid {
  const result: CpuByPid = new Map();
  for (const pid of pids) {
    const cpu = otherProcessCpuMs(pid);
    if (cpu !== undefined) result.set(pid, cpu);
  }
  return result;
}

/** CPU used between two samples by the processes alive at the second (a new one counts from 0). */
export function cpuBetween(before: CpuByPid, after: CpuByPid): number {
  let total = 0;
  for (const [pid, cpu] of after) total += cpu - (before.get(pid) ?? 0);
  return total;
}
