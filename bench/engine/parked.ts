// (b) Parked runs: `approvals` real runs driven to the spec gate, the rest copied as rows, then what
// they cost (jobs held, worker memory, Postgres rows) and how fast an approval wakes a run up.
import { reconcileRuns } from "../../src/engine/reconciler.js";
import { approveOneByOne, type WakeSamples, wakeTable } from "./approve-parked.js";
import { cloneParkedRuns } from "./clone-parked-runs.js";
import { EngineEnv } from "./engine-env.js";
import type { BackendName, BenchOptions } from "./options.js";
import { parkedRows, rowsTable } from "./postgres-rows.js";
import { count, mib, ms, percentile, seconds, sleep, table } from "./stats.js";
import { driveRuns } from "./throughput.js";
import type { MemoryFigures } from "./worker-protocol.js";

export interface ParkedFigures {
  backend: BackendName;
  heldJobs: number;
  before: MemoryFigures;
  after: MemoryFigures;
  dbBytesPerRun: number;
  /** approve → the next phase's prompt.sent, on an idle and on a busy worker. */
  wake: { idle: WakeSamples; busy: WakeSamples };
  failures: string[];
}

const RECONCILE_EVERY_MS = 5_000;
/** Approvals timed on an idle worker (each waits for the previous approved run to finish). */
const IDLE_SAMPLES = 20;

async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs = 600_000, pollMs = 50) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(pollMs);
  }
}

export async function parkedPart(backend: BackendName, options: BenchOptions): Promise<ParkedFigures> {
  const real = options.approvals;
  const synthetic = options.parked - real;
  console.log(
    `\n[b] ${backend}: ${count(options.parked)} parked runs (${count(real)} real, ${count(synthetic)} as rows)…`,
  );
  const env = await EngineEnv.open(backend, options, "pk");
  const failures: string[] = [];
  const { prisma, pool } = env.db.client;
  try {
    const host = await env.startHost(RECONCILE_EVERY_MS);
    await driveRuns(env, 8, options.concurrency); // warm-up: every code path once
    const settle = () => sleep(2 * RECONCILE_EVERY_MS + 500); // two reconciler passes, same before and after
    await settle();
    const before = await host.memory();
    const rowsBefore = await parkedRows(pool);

    let started = Date.now();
    const ids: string[] = [];
    for (let index = 0; index < real; index++)
      ids.push((await env.engine.startRun(env.runInput(index))).runId);
    const parkedCount = () => prisma.run.count({ where: { id: { in: ids }, state: "awaiting_approval" } });
    await waitUntil(`${real} runs to reach the gate`, async () => (await parkedCount()) === real);
    console.log(`    ${count(real)} real runs reached the gate in ${seconds(Date.now() - started)}`);
    started = Date.now();
    if (synthetic > 0 && ids[0]) await cloneParkedRuns(prisma, ids[0], synthetic);
    console.log(`    ${count(synthetic)} parked runs copied as rows in ${seconds(Date.now() - started)}`);

    await settle(); // the worker's reconciler passes over them twice
    started = performance.now();
    const requeued = await reconcileRuns(prisma, env.runQueue);
    const reconcileMs = performance.now() - started;
    const heldJobs = await env.runQueue.heldJobs();
    const after = await host.memory();
    const rowsAfter = await parkedRows(pool);
    const parkedTotal = await prisma.run.count({ where: { state: "awaiting_approval" } });
    const pending = await prisma.approvalRequest.count({ where: { state: "pending" } });
    if (heldJobs !== 0) failures.push(`${heldJobs} jobs held in the queue with every run parked`);
    if (parkedTotal !== options.parked)
      failures.push(`${parkedTotal} runs parked, expected ${options.parked}`);
    const dbBytesPerRun = (rowsAfter.databaseBytes - rowsBefore.databaseBytes) / options.parked;
    console.log(
      [
        `    jobs held in the queue: ${heldJobs}${heldJobs === 0 ? " (ok)" : "   <<<<<<<<<< FAIL: a parked run must hold no job"}`,
        `    runs awaiting approval: ${count(parkedTotal)}, pending approval requests: ${count(pending)}`,
        `    a reconcile pass with them parked: ${ms(reconcileMs)}, ${requeued} runs re-queued`,
        memoryLine("before parking", before),
        memoryLine("after parking ", after),
        `      Δ rss ${mib(after.rss - before.rss)}, Δ heap ${mib(after.heapUsed - before.heapUsed)}; of which the fake agent's log of prompts (a test double's, not devflow's): ${count(after.fakePrompts.count - before.fakePrompts.count)} prompts, ≥ ${mib(after.fakePrompts.chars - before.fakePrompts.chars)}`,
        `    Postgres (this database, all runs):`,
        rowsTable(rowsBefore, rowsAfter),
        `      ≈ ${(dbBytesPerRun / 1024).toFixed(1)} KiB of database per parked run`,
      ].join("\n"),
    );

    const idleSamples = Math.min(IDLE_SAMPLES, real);
    const wake = await approveOneByOne(env, ids, idleSamples);
    await waitUntil(
      "the approved runs to finish",
      async () =>
        (await prisma.run.count({ where: { id: { in: ids }, reportWrittenAt: { not: null } } })) === real,
    );
    const heldAtEnd = await env.runQueue.heldJobs();
    if (heldAtEnd !== 0) failures.push(`${heldAtEnd} jobs held after every approved run finished`);
    console.log(
      [
        `    wake-up over ${count(real)} approvals, one at a time: the first ${idleSamples} each on an idle worker, the rest each with a free worker slot while earlier approved runs still work:`,
        wakeTable([
          { label: "idle worker", samples: wake.idle },
          { label: "busy worker", samples: wake.busy },
        ]),
      ].join("\n"),
    );
    for (const failure of failures) console.log(`    FAIL: ${failure}`);
    return { backend, heldJobs, before, after, dbBytesPerRun, wake, failures };
  } finally {
    await env.close();
  }
}

function memoryLine(label: string, memory: MemoryFigures): string {
  return `    worker process ${label}: rss ${mib(memory.rss)}, heap used ${mib(memory.heapUsed)} (after gc)`;
}

function spread(values: number[]): string {
  if (values.length === 0) return "n/a";
  return `${ms(percentile(values, 50), 0)} / ${ms(percentile(values, 99), 0)} / ${ms(Math.max(...values), 0)}`;
}

export function parkedSummary(options: BenchOptions, all: readonly ParkedFigures[]): string {
  const rows = all.map((figures) => [
    figures.backend,
    String(figures.heldJobs),
    `${mib(figures.before.rss)} → ${mib(figures.after.rss)}`,
    `${mib(figures.before.heapUsed)} → ${mib(figures.after.heapUsed)}`,
    `${(figures.dbBytesPerRun / 1024).toFixed(1)} KiB`,
    spread(figures.wake.idle.wake),
    spread(figures.wake.busy.wake),
  ]);
  return [
    `(b) parked: ${count(options.parked)} runs at the spec gate (${count(options.approvals)} real), then ${count(options.approvals)} approvals`,
    table(
      [
        "",
        "jobs held",
        "worker rss",
        "worker heap",
        "db/run",
        "wake, idle p50/p99/max",
        "wake, busy p50/p99/max",
      ],
      rows,
    ),
  ].join("\n");
}
