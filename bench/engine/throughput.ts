// (a) Throughput: N fake runs through the whole development template, each run's spec gate approved
// through the engine's decide() as soon as the run reaches awaiting_approval, timed from the first
// startRun to the last run's completion.
import type { EngineEnv } from "./engine-env.js";
import { type CpuByPid, cpuBetween, cpuOf, type ProcessCpu, processCpu } from "./process-cpu.js";
import { busyShare, cpuTimes, forEachLimited, sleep } from "./stats.js";

type GitCounts = Record<string, { count: number; ms: number }>;

export interface ThroughputResult {
  runIds: string[];
  /** First startRun → the last run's `completed` (Run.finishedAt). */
  wallMs: number;
  /** First startRun → the last final report written. */
  wallToReportMs: number;
  completed: number;
  failed: { runId: string; state: string; code: string | null }[];
  /** BullMQ jobs the worker finished, by advanceRun outcome. */
  jobs: Record<string, number>;
  /** Git processes the worker ran for these runs: per subcommand, count and summed lifetimes. */
  git: GitCounts;
  /** CPU (ms) over the batch of the worker and the bench ("web") processes, and the machine's busy share. */
  cpu: { worker: ProcessCpu; bench: ProcessCpu; postgres: number; redis: number; machineBusy: number };
  loopDelay: { mean: number; p99: number; max: number };
  /** The repository's mirror lock over the batch. */
  mirrorLock: { acquisitions: number; heldMs: number; byKind: GitCounts };
  /** Connections opened for per-run advisory locks: how many, summed connect time. */
  lockConnects: { count: number; ms: number };
  /** How many runs ended their jobs with each sequence of outcomes, e.g. "waiting,finished". */
  patterns: Record<string, number>;
  decideErrors: string[];
}

/** Approves every run that reaches the gate, polling the state index (the engine sends no NOTIFY). */
export function startAutoApprover(env: EngineEnv, concurrency: number, pollMs = 10) {
  const decided = new Set<string>();
  const errors: string[] = [];
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const waiting = await env.db.client.pool.query<{ id: string }>(
        `SELECT id FROM "Run" WHERE state = 'awaiting_approval'`,
      );
      const fresh = waiting.rows.filter((run) => !decided.has(run.id));
      for (const run of fresh) decided.add(run.id);
      await forEachLimited(fresh, concurrency, async (run) => {
        await env.engine
          .decide({
            runId: run.id,
            action: "approve",
            clientToken: `bench-${run.id}`,
            actor: "devflow-bench",
            source: "api",
          })
          .catch((error: Error) => errors.push(error.message));
      });
      if (fresh.length === 0) await sleep(pollMs);
    }
  })();
  return {
    errors,
    async stop() {
      stopped = true;
      await loop;
    },
  };
}

async function finishedRuns(env: EngineEnv): Promise<number> {
  const result = await env.db.client.pool.query<{ n: string }>(
    `SELECT count(*) AS n FROM "Run" WHERE "reportWrittenAt" IS NOT NULL`,
  );
  return Number(result.rows[0]?.n ?? 0);
}

export async function driveRuns(env: EngineEnv, count: number, concurrency: number, stallMs = 120_000) {
  const beforeCounts = await env.host.counts();
  const finishedBefore = await finishedRuns(env);
  const approver = startAutoApprover(env, concurrency);
  const runIds: string[] = [];
  const machineBefore = cpuTimes();
  const benchBefore = processCpu();
  const servicesBefore = await serviceCpu(env);
  const startedAt = Date.now();
  try {
    await forEachLimited(
      Array.from({ length: count }, (_, index) => index),
      concurrency,
      async (index) => {
        const { runId } = await env.engine.startRun(env.runInput(index));
        runIds.push(runId);
      },
    );
    let finished = 0;
    let progressAt = Date.now();
    while (finished < count) {
      await sleep(50);
      const now = (await finishedRuns(env)) - finishedBefore;
      if (now > finished) progressAt = Date.now();
      finished = now;
      if (Date.now() - progressAt > stallMs) {
        const states = await env.db.client.prisma.run.groupBy({ by: ["state"], _count: true });
        throw new Error(
          `no run finished for ${stallMs / 1000} s (${finished}/${count} done); runs by state: ${JSON.stringify(states)}`,
        );
      }
    }
  } finally {
    await approver.stop();
  }
  const benchAfter = processCpu();
  const machineBusy = busyShare(machineBefore, cpuTimes());
  const servicesAfter = await serviceCpu(env);
  const counts = await env.host.counts();
  const runs = await env.db.client.prisma.run.findMany({
    where: { id: { in: runIds } },
    select: { id: true, state: true, failureCode: true, finishedAt: true, reportWrittenAt: true },
  });
  const patterns: Record<string, number> = {};
  for (const runId of runIds) {
    const key = (counts.byRun[runId] ?? []).join(",");
    patterns[key] = (patterns[key] ?? 0) + 1;
  }
  const last = (values: (Date | null)[]) => Math.max(...values.map((value) => value?.getTime() ?? 0));
  return {
    runIds,
    wallMs: last(runs.map((run) => run.finishedAt)) - startedAt,
    wallToReportMs: last(runs.map((run) => run.reportWrittenAt)) - startedAt,
    completed: runs.filter((run) => run.state === "completed").length,
    failed: runs
      .filter((run) => run.state !== "completed")
      .map((run) => ({ runId: run.id, state: run.state, code: run.failureCode })),
    jobs: delta(beforeCounts.outcomes, counts.outcomes),
    git: gitDelta(beforeCounts.git.bySubcommand, counts.git.bySubcommand),
    cpu: {
      worker: cpuDelta(beforeCounts.cpu, counts.cpu),
      bench: cpuDelta(benchBefore, benchAfter),
      postgres: cpuBetween(servicesBefore.postgres, servicesAfter.postgres),
      redis: cpuBetween(servicesBefore.redis, servicesAfter.redis),
      machineBusy,
    },
    loopDelay: counts.loopDelay,
    mirrorLock: {
      acquisitions: counts.mirrorLock.acquisitions - beforeCounts.mirrorLock.acquisitions,
      heldMs: counts.mirrorLock.heldMs - beforeCounts.mirrorLock.heldMs,
      byKind: gitDelta(beforeCounts.mirrorLock.byKind, counts.mirrorLock.byKind),
    },
    lockConnects: {
      count: counts.lockConnects.count - beforeCounts.lockConnects.count,
      ms: counts.lockConnects.ms - beforeCounts.lockConnects.ms,
    },
    patterns,
    decideErrors: approver.errors,
  } satisfies ThroughputResult;
}

/** CPU so far of this engine's Postgres backends (those alive now) and of redis-server. */
async function serviceCpu(env: EngineEnv): Promise<{ postgres: CpuByPid; redis: CpuByPid }> {
  const pids = await env.servicePids();
  return { postgres: cpuOf(pids.postgres), redis: cpuOf(pids.redis) };
}

function delta(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  const result: Record<string, number> = {};
  for (const [key, total] of Object.entries(after)) {
    const change = total - (before[key] ?? 0);
    if (change > 0) result[key] = change;
  }
  return result;
}

function cpuDelta(before: ProcessCpu, after: ProcessCpu): ProcessCpu {
  return { selfMs: after.selfMs - before.selfMs, childrenMs: after.childrenMs - before.childrenMs };
}

function gitDelta(before: GitCounts, after: GitCounts): GitCounts {
  const result: GitCounts = {};
  for (const [name, entry] of Object.entries(after)) {
    const count = entry.count - (before[name]?.count ?? 0);
    if (count > 0) result[name] = { count, ms: entry.ms - (before[name]?.ms ?? 0) };
  }
  return result;
}
