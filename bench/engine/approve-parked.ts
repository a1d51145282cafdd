// Approves parked runs one at a time and times each wake-up: approve → the next phase's prompt.sent (a
// worker took the job, locked the run, started the implementer's session and prompted it). The first
// `idleSamples` approvals wait for an idle worker; the rest only for a free worker slot, while runs
// approved earlier are still working (a busy host).
import type { EngineEnv } from "./engine-env.js";
import { ms, percentile, sleep, table } from "./stats.js";

export interface WakeSamples {
  /** approve → implement prompt.sent. */
  wake: number[];
  /** approve → decide() returned (the web side's share). */
  decide: number[];
  /** approve → the implementer's session row reserved (job taken, run locked and read). */
  pickup: number[];
}

async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs: number, pollMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(pollMs);
  }
}

export async function approveOneByOne(env: EngineEnv, runIds: readonly string[], idleSamples: number) {
  const { prisma, pool } = env.db.client;
  const idle: WakeSamples = { wake: [], decide: [], pickup: [] };
  const busy: WakeSamples = { wake: [], decide: [], pickup: [] };
  const executing = () => prisma.run.count({ where: { state: "executing" } });
  for (const [index, runId] of runIds.entries()) {
    const samples = index < idleSamples ? idle : busy;
    if (samples === idle) {
      await waitUntil("an idle worker", async () => (await env.runQueue.heldJobs()) === 0, 600_000, 10);
    } else {
      const slots = env.concurrency;
      await waitUntil("a free worker slot", async () => (await executing()) < slots, 600_000, 5);
    }
    const approvedAt = Date.now();
    await env.engine.decide({
      runId,
      action: "approve",
      clientToken: `bench-${runId}`,
      actor: "devflow-bench",
      source: "api",
    });
    samples.decide.push(Date.now() - approvedAt);
    let promptAt = Number.NaN;
    await waitUntil(
      `run ${runId} to send its implement prompt`,
      async () => {
        const found = await pool.query<{ createdAt: Date }>(
          `SELECT "createdAt" FROM "RunEvent" WHERE "runId" = $1 AND type = 'prompt.sent'
              AND payload->>'phaseKey' = 'implement' LIMIT 1`,
          [runId],
        );
        promptAt = found.rows[0]?.createdAt.getTime() ?? Number.NaN;
        return !Number.isNaN(promptAt);
      },
      120_000,
      2,
    );
    samples.wake.push(promptAt - approvedAt);
    const session = await prisma.session.findFirst({
      where: { runId, createdAt: { gte: new Date(approvedAt - 1) } },
      orderBy: { createdAt: "asc" },
    });
    samples.pickup.push((session?.createdAt.getTime() ?? Number.NaN) - approvedAt);
  }
  return { idle, busy };
}

export function wakeTable(groups: { label: string; samples: WakeSamples }[]): string {
  const row = (label: string, values: number[]) => [
    label,
    String(values.length),
    ms(percentile(values, 50), 0),
    ms(percentile(values, 99), 0),
    ms(Math.max(...values), 0),
  ];
  const rows = groups
    .filter((group) => group.samples.wake.length > 0)
    .flatMap(({ label, samples }) => [
      row(`${label}: approve → prompt.sent (wake-up)`, samples.wake),
      row("  approve → decide() returned (web side)", samples.decide),
      row("  approve → session reserved (job taken, run locked + read)", samples.pickup),
      row(
        "  session reserved → prompt.sent (session start, envelope, tx)",
        samples.wake.map((wake, index) => wake - (samples.pickup[index] ?? Number.NaN)),
      ),
    ]);
  return table(["", "n", "p50", "p99", "max"], rows);
}
