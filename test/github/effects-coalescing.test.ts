// A backlog of effects (issue 12, GitHub economy): runs move on while nothing is delivered; then the
// effects worker sends each run's newest state once — its gate, or its end with the final report — and
// skips the states in between; replies are never coalesced away; a failure after GitHub took a create
// neither loses the newest state nor makes a second object. The real engine (fake agent) and git, the
// simulator as GitHub, devflow's Probot client with its write pacing off (what is written is the point).
import { rm } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OutboxEffect } from "../../src/db/generated/client.js";
import { silentLog } from "../../src/engine/worker-context.js";
import { startEffectsWorker } from "../../src/github/effects/effects-worker.js";
import { enqueueEffect } from "../../src/github/effects/enqueue-effect.js";
import { gitAuthHeaderFor } from "../../src/github/mount-github-app.js";
import { type GitHubSimulator, startGitHubSimulator } from "../github-sim/index.js";
import { APP_ID, appPrivateKey, WEBHOOK_SECRET } from "../github-sim/sim-fixture.js";
import { createEngineHarness, type EngineHarness, waitForRunState } from "../support/engine-harness.js";
import { probotAgainst } from "../support/github-app-client.js";

const REPO = "octo/backlog";
let harness: EngineHarness;
let sim: GitHubSimulator;
let installationId: number;
let worker: Awaited<ReturnType<EngineHarness["worker"]>>;
const probot = () =>
  probotAgainst({
    sim,
    appId: APP_ID,
    privateKey: appPrivateKey(),
    webhookSecret: WEBHOOK_SECRET,
    writePaceMs: 0,
  });
let app: ReturnType<typeof probot>;

beforeAll(async () => {
  harness = await createEngineHarness();
  sim = await startGitHubSimulator({
    appId: APP_ID,
    privateKey: appPrivateKey(),
    webhookSecret: WEBHOOK_SECRET,
    ghe: true,
  });
  installationId = (await sim.state.createRepository("octo", "backlog", { files: { "README.md": "# b\n" } }))
    .installationId;
  app = probot();
  worker = await harness.worker({
    queue: { backend: "postgres", connectionString: harness.db.url },
    gitAuthHeader: (run) => gitAuthHeaderFor(app, run),
  });
}, 60_000);
afterAll(async () => {
  await harness?.cleanup();
  await sim?.close();
});

async function startRun(title: string, gates?: string[], scenarios?: Record<string, string>) {
  const issue = sim.state.createIssue(REPO, { title, user: "maintainer" });
  const { runId } = await worker.engine.startRun({
    repository: REPO,
    cloneUrl: `${sim.webUrl}/${REPO}.git`,
    baseBranch: "main",
    requirements: `# ${title}`,
    title,
    issueNumber: issue.number,
    installationId: BigInt(installationId),
    ...(gates ? { gates } : {}),
    ...(scenarios ? { scenarios } : {}),
  });
  return { runId, issue };
}

function reply(runId: string, issueNumber: number, n: number) {
  return enqueueEffect(
    harness.db.prisma,
    { key: `${runId}:reply:${n}`, installationId, repository: REPO, runId },
    { kind: "comment.reply", issueNumber, body: `reply ${n} to ${runId}` },
  );
}

/** Delivers every pending effect (passing states once settled), then stops the effects worker. */
async function deliverAll(settleSeconds?: number) {
  const effects = startEffectsWorker({
    prisma: harness.db.prisma,
    octokitFor: (id) => app.auth(id),
    log: silentLog,
    pollMs: 50,
    ...(settleSeconds === undefined ? {} : { settleSeconds }),
  });
  try {
    await expect
      .poll(() => harness.db.prisma.outboxEffect.count({ where: { state: "pending" } }), {
        timeout: 60_000,
        interval: 100,
      })
      .toBe(0);
  } finally {
    await effects.stop();
  }
}

async function atState(runId: string, state: string, phaseKey: string) {
  await expect
    .poll(
      async () => {
        const run = await harness.db.prisma.run.findUniqueOrThrow({ where: { id: runId } });
        return `${run.state} ${run.currentPhaseKey}`;
      },
      { timeout: 60_000 },
    )
    .toBe(`${state} ${phaseKey}`);
}

const writesSince = (first: number) =>
  sim.requests
    .slice(first)
    .filter((r) => !r.git && r.method !== "GET" && !r.apiPath.startsWith("/app/"))
    .map((r) => `${r.method} ${r.route} → ${r.status}`);

const runEffects = (runId: string): Promise<OutboxEffect[]> =>
  harness.db.prisma.outboxEffect.findMany({
    where: { runId, kind: { in: ["run.status", "run.report"] } },
    orderBy: { createdAt: "asc" },
  });

const checkRunOf = (runId: string) => [...sim.state.checkRuns.values()].filter((c) => c.externalId === runId);

describe("a backlog of effects", () => {
  it("sends each run's gate or final report once, skips the states between, and delivers every reply", async () => {
    const gated = [await startRun("First gate"), await startRun("Second gate")];
    const ended = await startRun("No gate", []);
    for (const [n, { runId, issue }] of [...gated, ended].entries()) await reply(runId, issue.number, n);
    for (const { runId } of gated) await waitForRunState(harness.db, runId, "awaiting_approval", 60_000);
    await waitForRunState(harness.db, ended.runId, "completed", 60_000);
    await expect
      .poll(
        async () =>
          (await harness.db.prisma.run.findUniqueOrThrow({ where: { id: ended.runId } })).reportWrittenAt,
      )
      .not.toBeNull();
    for (const [n, { runId, issue }] of [...gated, ended].entries()) await reply(runId, issue.number, n + 10);
    // The backlog: every run went through several states, none of them sent yet.
    for (const { runId } of [...gated, ended]) expect((await runEffects(runId)).length).toBeGreaterThan(2);

    const first = sim.requests.length;
    await deliverAll();

    // Per run one draft PR, one sticky comment and one check run, each created with its final content:
    // no edit, no intermediate state, nothing created twice.
    const writes = writesSince(first);
    const listed = writes.join("\n");
    expect(
      writes.filter((w) => w.startsWith("POST /repos/{owner}/{repo}/pulls ")),
      listed,
    ).toHaveLength(3);
    expect(
      writes.filter((w) => w.startsWith("POST /repos/{owner}/{repo}/check-runs ")),
      listed,
    ).toHaveLength(3);
    expect(
      writes.filter((w) => w.startsWith("PATCH ")),
      listed,
    ).toEqual([]);
    for (const { runId, issue } of gated) {
      const sticky = sim.state.commentsOn(issue).filter((c) => c.body.includes(`devflow:run:${runId}`));
      expect(sticky.map((c) => c.body.includes("waiting for your decision"))).toEqual([true]);
      expect(checkRunOf(runId).map((c) => c.actions.map((a) => a.identifier))).toEqual([
        ["approve", "reject"],
      ]);
    }
    expect(checkRunOf(ended.runId).map((c) => [c.conclusion, c.output.summary?.split("\n")[0]])).toEqual([
      ["success", `# devflow run ${ended.runId}: ✅ completed`],
    ]);
    // Replies are never coalesced: each one, once.
    for (const [n, { runId, issue }] of [...gated, ended].entries()) {
      const bodies = sim.state.commentsOn(issue).map((c) => c.body.split("\n")[0]);
      expect(
        bodies.filter((b) => b === `reply ${n} to ${runId}` || b === `reply ${n + 10} to ${runId}`),
      ).toHaveLength(2);
    }
    // One run effect was delivered per run; the others are marked as coalesced into it.
    for (const { runId } of [...gated, ended]) {
      const rows = await runEffects(runId);
      const sent = rows.filter((row) => !(row.result as { coalescedInto?: string }).coalescedInto);
      expect(sent).toHaveLength(1);
      expect(
        rows.map((row) => [
          row.state,
          (row.result as { coalescedInto?: string }).coalescedInto ?? sent[0]?.id,
        ]),
      ).toEqual(rows.map(() => ["delivered", sent[0]?.id]));
    }
  }, 180_000);

  it("after a failure that GitHub's create outlived, finds the check run instead of making a second, and still shows the newest state", async () => {
    const { runId, issue } = await startRun("Create outlived");
    await waitForRunState(harness.db, runId, "awaiting_approval", 60_000);
    // GitHub creates the check run, then the answer is lost (an error devflow cannot tell from a failure).
    sim.script.failNext("POST", "/repos/{owner}/{repo}/check-runs", { status: 403, afterEffect: true });
    const first = sim.requests.length;
    await deliverAll();
    // The retry sends again only what GitHub may lack (the check run's output), not the comment or PR.
    expect(writesSince(first)).toEqual([
      "POST /repos/{owner}/{repo}/pulls → 201",
      "POST /repos/{owner}/{repo}/issues/{issue_number}/comments → 201",
      "POST /repos/{owner}/{repo}/check-runs → 403",
      "PATCH /repos/{owner}/{repo}/check-runs/{check_run_id} → 200",
    ]);
    expect(checkRunOf(runId)).toHaveLength(1);
    expect(checkRunOf(runId)[0]?.actions.map((a) => a.identifier)).toEqual(["approve", "reject"]);
    expect(sim.state.commentsOn(issue).filter((c) => c.body.includes(`devflow:run:${runId}`))).toHaveLength(
      1,
    );
    expect(sim.state.pulls(REPO).filter((p) => p.body?.includes(runId))).toHaveLength(1);
    const run = await harness.db.prisma.run.findUniqueOrThrow({ where: { id: runId } });
    expect(run.checkRunId).toBe(BigInt(checkRunOf(runId)[0]?.id ?? 0));
  }, 120_000);

  it("sends a gate before an older run's passing state, which waits until nothing more urgent does", async () => {
    // The older run stays in its spec phase (its agent never answers); the younger one reaches its gate.
    const working = await startRun("Still working", undefined, { spec: "timeout" });
    await atState(working.runId, "executing", "spec");
    const gated = await startRun("At the gate");
    await waitForRunState(harness.db, gated.runId, "awaiting_approval", 60_000);
    const first = sim.requests.length;
    await deliverAll(0); // every state counts as lasting: the order is the point
    const writes = sim.requests
      .slice(first)
      .filter((r) => !r.git && r.method !== "GET" && !r.apiPath.startsWith("/app/"))
      .map((r) => r.apiPath);
    const gateShown = writes.findIndex((path) => path.endsWith("/check-runs"));
    const workingShown = writes.findIndex((path) =>
      path.endsWith(`/issues/${working.issue.number}/comments`),
    );
    expect(gateShown, writes.join("\n")).toBeGreaterThanOrEqual(0);
    expect(workingShown, writes.join("\n")).toBeGreaterThan(gateShown);
    const sticky = sim.state
      .commentsOn(working.issue)
      .find((c) => c.body.includes(`devflow:run:${working.runId}`));
    expect(sticky?.body).toContain("working");
    await worker.engine.abort(working.runId, "test");
    await waitForRunState(harness.db, working.runId, "aborted", 60_000);
  }, 120_000);

  it("shows the final report as Postgres holds it, on a web host that has not the worker's report file", async () => {
    const ended = await startRun("Report from elsewhere", []);
    await waitForRunState(harness.db, ended.runId, "completed", 60_000);
    await expect
      .poll(
        async () =>
          (await harness.db.prisma.run.findUniqueOrThrow({ where: { id: ended.runId } })).reportWrittenAt,
        { timeout: 30_000 },
      )
      .not.toBeNull();
    const { reportPath } = await harness.db.prisma.run.findUniqueOrThrow({ where: { id: ended.runId } });
    const stored = await harness.db.prisma.runReport.findUniqueOrThrow({ where: { runId: ended.runId } });
    // The effects worker runs on the web host; the file is on the worker's.
    await rm(reportPath ?? "", { force: true });
    await deliverAll();
    const [check] = checkRunOf(ended.runId);
    expect(check?.conclusion).toBe("success");
    expect(check?.output.text).toContain(stored.text.split("\n").slice(0, 5).join("\n"));
  }, 120_000);
});
