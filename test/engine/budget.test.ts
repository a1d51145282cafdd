// Budgets that hold, through the real engine: a sandboxed `command` agent that reports usage in steps
// (test/fixtures/budget-agent.mjs) crosses the run's token limit mid-phase. Its session is stopped
// within one usage report, the run waits at `budget_exceeded` with the limit named in the check run;
// Approve resumes with the raised limit, Reject ends the run with a report that names the limit.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeEvent } from "../../src/cli/run-view.js";
import { DEFAULT_BUDGETS } from "../../src/config/budgets.js";
import { decide, openApprovalRequest } from "../../src/engine/approvals.js";
import { tokensOf } from "../../src/engine/budget-spending.js";
import { usageOfRun } from "../../src/engine/record-usage.js";
import { getRunStatus } from "../../src/engine/run-status.js";
import { renderCheckRun } from "../../src/github/effects/render-run-output.js";
import { ExecSessionAdapter } from "../../src/sessions/exec-adapter.js";
import { FakeSessionAdapter } from "../../src/sessions/fake-adapter.js";
import type { SessionAdapter } from "../../src/sessions/session-adapter.js";
import { buildMidFlightRun } from "../builders/runs.js";
import { createEngineHarness, type EngineHarness, waitForRunState } from "../support/engine-harness.js";

const AGENT = fileURLToPath(new URL("../fixtures/budget-agent.mjs", import.meta.url));
/** Each of the agent's usage lines on its first attempt: 200 input + 100 output tokens. */
const TOKENS_PER_LINE = 300;
const LIMIT = 1_000;
/** The line that takes the run past its limit: 4 × 300 = 1,200 > 1,000. */
const CROSSING_LINE = Math.floor(LIMIT / TOKENS_PER_LINE) + 1;
const CROSSED = "The run's token limit of 1,000 tokens was crossed";

let harness: EngineHarness;
let worker: Awaited<ReturnType<EngineHarness["worker"]>>;
const runs = { approved: "", rejected: "", timed: "" };

beforeAll(async () => {
  harness = await createEngineHarness();
  const budgeted = new ExecSessionAdapter({
    command: [process.execPath, AGENT],
    promptVia: "stdin",
    passThrough: [],
    sandbox: { readOnlyPaths: [dirname(AGENT)] },
  });
  worker = await harness.worker({
    queue: { backend: "postgres", connectionString: harness.db.url },
    adapter: budgeted,
    // An agent that reports no usage at all and takes its time.
    agents: new Map<string, SessionAdapter>([
      ["budgeted", budgeted],
      ["slow", new FakeSessionAdapter({ writeDelayMs: 20_000 })],
    ]),
    defaultAgent: "budgeted",
    budgets: {
      ...DEFAULT_BUDGETS,
      run: { ...DEFAULT_BUDGETS.run, tokens: LIMIT },
      raiseBy: { ...DEFAULT_BUDGETS.raiseBy, tokens: 2_000 },
    },
  });
  // Both runs at once: one is approved at its budget gate, the other rejected.
  for (const key of ["approved", "rejected"] as const) {
    const { runId } = await worker.engine.startRun({
      repository: harness.gitRemote(),
      baseBranch: "main",
      requirements: `Spend in steps (${key})`,
    });
    runs[key] = runId;
  }
  // A run whose repository lowered the phase's agent time to 1.2 s, its spec written by the slow agent.
  const timed = await worker.engine.startRun({
    repository: harness.gitRemote(),
    baseBranch: "main",
    requirements: "Take your time",
    agents: { spec_writer: "slow" },
    budgets: { phase: { wallTimeMinutes: 0.02 } },
  });
  runs.timed = timed.runId;
  for (const runId of Object.values(runs))
    await waitForRunState(harness.db, runId, "awaiting_approval", 60_000);
}, 90_000);
afterAll(() => harness.cleanup());

/** The agent's HOME in its first session: where its usage file and its late marker are. */
async function agentHome(runId: string): Promise<string> {
  const session = await harness.db.prisma.session.findFirstOrThrow({
    where: { runId },
    orderBy: { createdAt: "asc" },
  });
  return join(dirname(session.transcriptPath ?? ""), "home");
}

describe("a run's token limit crossed mid-phase", () => {
  it("stops the agent within one usage report and waits at budget_exceeded, naming the limit in the check run", async () => {
    const runId = runs.approved;
    const status = await getRunStatus(harness.db.prisma, runId);
    expect(status.approvals.filter((r) => r.state === "pending").map((r) => r.gateKey)).toEqual([
      "budget_exceeded",
    ]);
    expect(status.phases.map((p) => [p.phaseKey, p.attempt, p.state, p.failureCode])).toEqual([
      ["spec", 1, "failed", "budget_exceeded"],
    ]);

    // The agent appended its usage line by line: at most one more after the line that crossed the limit,
    // and it never reached the end of its work.
    const home = await agentHome(runId);
    const lines = readFileSync(join(home, "devflow-usage-spec-1-0.jsonl"), "utf8").trim().split("\n");
    expect(lines.length).toBeGreaterThanOrEqual(CROSSING_LINE);
    expect(lines.length - CROSSING_LINE).toBeLessThanOrEqual(1);
    expect(existsSync(join(home, "late-marker"))).toBe(false);
    // Recorded: what the agent reported up to its stop, the tokens in flight included, nothing after.
    const spent = tokensOf((await usageOfRun(harness.db.prisma, runId)).total);
    expect(spent).toBe(lines.length * TOKENS_PER_LINE);

    const check = renderCheckRun(status, undefined);
    expect(check.summary).toContain(
      `**Budget:** ${CROSSED}: ${spent.toLocaleString("en-US")} tokens spent (phase \`spec\`, attempt 1). \`/approve\` raises it to 3,000 tokens`,
    );
    expect(check.actions.map((action) => action.identifier)).toEqual(["approve", "reject"]);
  });

  it("Approve raises the crossed limit by the configured step and continues with a new attempt", async () => {
    const runId = runs.approved;
    await worker.engine.decide({
      runId,
      gateKey: "budget_exceeded",
      action: "approve",
      clientToken: "budget-ok",
      actor: "alice",
      source: "cli",
    });
    // Within the raised limit the agent's new attempt writes its spec, and the run waits at its next gate.
    await expect
      .poll(async () => (await getRunStatus(harness.db.prisma, runId)).approvals.at(-1)?.gateKey, {
        timeout: 60_000,
      })
      .toBe("spec_approved");
    const status = await getRunStatus(harness.db.prisma, runId);
    expect(status.run.state).toBe("awaiting_approval");
    expect(status.phases.map((p) => [p.attempt, p.state])).toEqual([
      [1, "failed"],
      [2, "succeeded"],
    ]);
    const raised = status.events.find((event) => event.type === "budget.raised");
    expect(raised?.payload).toMatchObject({ key: "run.tokens", from: 1_000, to: 3_000, actor: "alice" });
    // `devflow logs` says it in words.
    expect(raised && describeEvent(raised)).toBe(
      "The run's token limit was raised to 3,000 tokens by alice.",
    );
  });

  it("holds a limit the repository lowered on agent time, for an agent that reports no usage", async () => {
    const status = await getRunStatus(harness.db.prisma, runs.timed);
    expect(status.approvals.map((r) => [r.gateKey, r.state])).toEqual([["budget_exceeded", "pending"]]);
    const crossed = status.events.find((event) => event.type === "budget.exceeded")?.payload;
    expect(crossed).toMatchObject({
      scope: "phase",
      dimension: "wallTimeMinutes",
      phaseKey: "spec",
      limit: 0.02,
    });
    expect(renderCheckRun(status, undefined).summary).toContain(
      "**Budget:** Phase `spec`'s agent time limit of 1 s was crossed:",
    );
    // Stopped at its limit, long before the slow agent would have written its artifact.
    const [attempt] = status.phases;
    expect(attempt?.failureCode).toBe("budget_exceeded");
    expect((attempt?.finishedAt?.getTime() ?? 0) - (attempt?.startedAt.getTime() ?? 0)).toBeLessThan(20_000);
  });

  it("Reject ends the run, and its report says what was spent against which limit", async () => {
    const runId = runs.rejected;
    await worker.engine.decide({
      runId,
      action: "reject",
      clientToken: "budget-no",
      actor: "bob",
      source: "cli",
      reason: "too expensive",
    });
    const run = await waitForRunState(harness.db, runId, "failed", 30_000);
    expect(run.failureCode).toBe("budget_exceeded");
    await expect
      .poll(async () => (await harness.db.prisma.run.findUnique({ where: { id: runId } }))?.reportPath, {
        timeout: 20_000,
      })
      .toBeTruthy();
    const report = (await harness.db.prisma.runReport.findUniqueOrThrow({ where: { runId } })).text;
    const spent = tokensOf((await usageOfRun(harness.db.prisma, runId)).total);
    const crossing = `${CROSSED}: ${spent.toLocaleString("en-US")} tokens spent (phase \`spec\`, attempt 1).`;
    expect(report).toContain(`${crossing} bob ended the run: too expensive.`);
    expect(report).toContain("## Budget");
    expect(report).toContain(`| Run | ${spent.toLocaleString("en-US")} of 1,000 tokens;`);
    expect(report).toContain(`- ${crossing}`);
  });
});

describe("an attempt the budget stopped", () => {
  it("does not use up the phase's attempts: Approve after three stopped attempts opens a fourth", async () => {
    const { prisma } = harness.db;
    const { runId } = await buildMidFlightRun(harness.db, {
      state: "awaiting_approval",
      repository: "/nonexistent/budget-attempts",
      attempt: 3,
    });
    await prisma.phaseAttempt.updateMany({
      where: { runId },
      data: { state: "failed", failureCode: "budget_exceeded", finishedAt: new Date() },
    });
    const third = await prisma.phaseAttempt.findFirstOrThrow({ where: { runId, attempt: 3 } });
    const crossing = {
      scope: "run",
      dimension: "tokens",
      phaseKey: "spec",
      attempt: 3,
      limit: 1,
      spent: 2,
      raisedTo: 3,
    };
    await prisma.run.update({ where: { id: runId }, data: { budget: { crossed: crossing } } });
    await prisma.$transaction((tx) =>
      openApprovalRequest(tx, { runId, gateKey: "budget_exceeded", phaseId: third.id }),
    );
    // Decided in the database alone (no job): the run is only looked at, then aborted.
    const decided = await decide(prisma, {
      runId,
      action: "approve",
      clientToken: "fourth",
      actor: "alice",
      source: "cli",
    });
    expect(decided.runState).toBe("executing");
    const attempts = await prisma.phaseAttempt.findMany({ where: { runId }, orderBy: { attempt: "asc" } });
    expect(attempts.map((a) => [a.attempt, a.state])).toEqual([
      [1, "failed"],
      [2, "failed"],
      [3, "failed"],
      [4, "running"],
    ]);
    await worker.engine.abort(runId, "test");
  });
});
