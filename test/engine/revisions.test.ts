// Revisions in the engine (DESIGN §2 "Revision"): a request made while the run is active is queued and
// started by the transaction that ends the run, never beside it; an abort drops it and says so; a
// revision is a new run on the same branch and pull request that runs the template's revision phases
// with the request fenced as user data; a template's revision gate stops it before its first phase;
// bad requests change nothing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordRunGitHubIds } from "../../src/engine/run-github-ids.js";
import { loadRegistry, storeRegistry } from "../../src/registry/index.js";
import { FakeSessionAdapter } from "../../src/sessions/fake-adapter.js";
import { copyBuiltinRegistry, removeFixtures } from "../registry/registry-fixture.js";
import { createEngineHarness, type EngineHarness, waitForRunState } from "../support/engine-harness.js";
import { fencedBlocks } from "../support/prompt-blocks.js";

let harness: EngineHarness;
let worker: Awaited<ReturnType<EngineHarness["worker"]>>;
const adapter = new FakeSessionAdapter({ writeDelayMs: 5 });
let remote: string;
let issue = 100;
/** How long a run may take to get somewhere on a loaded machine (a bound, not a measurement). */
const WAIT_MS = 60_000;

beforeAll(async () => {
  harness = await createEngineHarness();
  // Two more templates: one whose runs cannot be revised, one whose revisions wait at a gate first.
  const fixture = await copyBuiltinRegistry();
  await fixture.edit("workflows/development.yaml", (d) => {
    d.name = "development-gated";
    d.gates.push({ key: "revision_approved", description: "A maintainer agrees to the revision." });
    d.defaultGates.push("revision_approved");
    d.revision.gate = "revision_approved";
  });
  await fixture.write(
    "workflows/once.yaml",
    (await fixture.read("workflows/development.yaml"))
      .replace("name: development-gated", "name: once")
      .replace(/\nrevision:[\s\S]*$/, "\n"),
  );
  await storeRegistry(harness.db.prisma, await loadRegistry(fixture.dir), { source: "test" });
  worker = await harness.worker({
    queue: { backend: "postgres", connectionString: harness.db.url },
    adapter,
  });
  remote = harness.gitRemote();
});
afterAll(async () => {
  await harness.cleanup();
  await removeFixtures();
});

/** A run of `template` waiting at its spec gate, with the pull request GitHub would have opened. */
async function runAtSpecGate(template = "development", options: { pull?: boolean } = {}) {
  issue += 1;
  const { runId } = await worker.engine.startRun({
    repository: remote,
    baseBranch: "main",
    requirements: `# Add a --verbose flag (${issue})\n\nPrint each step.`,
    issueNumber: issue,
    template,
  });
  await waitForRunState(harness.db, runId, "awaiting_approval", WAIT_MS);
  if (options.pull ?? true)
    await recordRunGitHubIds(harness.db.prisma, runId, { pullRequestNumber: issue + 1000 });
  return runId;
}

const approve = (runId: string, token: string) =>
  worker.engine.decide({
    runId,
    action: "approve",
    clientToken: token,
    actor: "maintainer",
    source: "comment",
  });

const revise = (runId: string, token: string, text = "Rename --verbose to --trace.") =>
  worker.engine.requestRevision({
    runId,
    actor: "maintainer",
    source: "comment",
    clientToken: token,
    number: issue + 1000,
    text,
    comments: [
      {
        path: "src/cli.ts",
        line: 12,
        diffHunk: "@@ -10,3 +10,4 @@\n+  verbose: true,",
        body: "Call it trace.",
      },
    ],
  });

const revisionsOf = (runId: string) =>
  harness.db.prisma.run.findMany({ where: { revisionOf: runId }, orderBy: { revision: "asc" } });

describe("revisions", () => {
  it("queues a revise made while the run waits at its gate, and starts revision 2 only when the run ends", async () => {
    const first = await runAtSpecGate();
    const queued = await revise(first, "comment-1-0");
    expect(queued).toMatchObject({ state: "queued", replayed: false, behind: { id: first, revision: 1 } });
    // The same comment delivered again records nothing new.
    expect(await revise(first, "comment-1-0")).toMatchObject({ state: "queued", replayed: true });
    expect(await harness.db.prisma.revisionRequest.count({ where: { firstRunId: first } })).toBe(1);
    // Never interleaved: nothing starts beside the active run.
    expect(await revisionsOf(first)).toEqual([]);

    await approve(first, "approve-1");
    const done = await waitForRunState(harness.db, first, "completed", WAIT_MS);
    // The transaction that completed the run created revision 2, on the same branch and pull request.
    const [second] = await revisionsOf(first);
    expect(second).toMatchObject({
      revision: 2,
      branch: done.branch,
      pullRequestNumber: done.pullRequestNumber,
    });
    const request = await harness.db.prisma.revisionRequest.findFirstOrThrow({
      where: { firstRunId: first },
    });
    expect([request.state, request.revisionRunId]).toEqual(["started", second?.id]);

    const revised = await waitForRunState(harness.db, second?.id ?? "", "completed", WAIT_MS);
    const status = await worker.engine.getStatus(revised.id);
    // The template's revision phases, from the head the first run left: implement → review, no spec.
    expect(status.phases.map((p) => [p.phaseKey, p.state])).toEqual([
      ["implement", "succeeded"],
      ["review", "succeeded"],
    ]);
    const prepared = status.events.find((event) => event.type === "run.prepared");
    expect(prepared?.payload).toMatchObject({ headSha: done.headSha });
    // Its prompts hold the request and its inline comment as fenced user data, beside the approved spec.
    const prompt = adapter.prompts.find((p) => p.runId === revised.id && p.phaseKey === "implement");
    const { blocks, outside } = fencedBlocks(prompt?.instructions ?? "");
    expect(blocks.map((block) => block.label)).toEqual([
      `the request: Add a --verbose flag (${issue}) (from a user of the repository)`,
      "the accepted spec artifact (from the spec phase's agent)",
      "revision 2 request (`/devflow revise`) (from @maintainer, a user of the repository)",
      "inline review comment 1 of 1 (from @maintainer, a user of the repository)",
    ]);
    expect(blocks[2]?.text).toBe("Rename --verbose to --trace.");
    expect(blocks[3]?.text).toContain("File: src/cli.ts\nLine: 12\n");
    expect(outside).not.toContain("Call it trace.");
    expect(outside).toContain("This is a revision of a change that is already on the run's branch");
    await expect
      .poll(() => harness.db.prisma.runReport.findUnique({ where: { runId: revised.id } }))
      .not.toBeNull();
    const report = (await harness.db.prisma.runReport.findUniqueOrThrow({ where: { runId: revised.id } }))
      .text;
    expect(report).toContain(`# devflow run ${revised.id}, revision 2: ✅ completed`);
    expect(report).toContain("Inline comment 1 on `src/cli.ts` line 12:");
  });

  it("drops the revise queued behind a run that is aborted, and tells its author", async () => {
    const first = await runAtSpecGate();
    await harness.db.prisma.run.update({ where: { id: first }, data: { installationId: 42n } });
    const { requestId } = await revise(first, "comment-2-0");
    await worker.engine.abort(first, "maintainer", "comment", "abort-2");
    await waitForRunState(harness.db, first, "aborted", WAIT_MS);
    expect(await revisionsOf(first)).toEqual([]);
    const request = await harness.db.prisma.revisionRequest.findUniqueOrThrow({ where: { id: requestId } });
    expect(request.state).toBe("cancelled");
    const told = await harness.db.prisma.outboxEffect.findUniqueOrThrow({
      where: { key: `${requestId}:cancelled` },
    });
    expect(told.payload).toMatchObject({
      body: expect.stringContaining("@maintainer your revision request was not started"),
    });
  });

  it("refuses a revise without a pull request, or of a template without revisions, changing nothing", async () => {
    const noPull = await runAtSpecGate("development", { pull: false });
    await expect(revise(noPull, "comment-3-0")).rejects.toMatchObject({
      code: "revision_without_pull_request",
    });
    const once = await runAtSpecGate("once");
    await expect(revise(once, "comment-4-0")).rejects.toMatchObject({ code: "revision_not_supported" });
    expect(
      await harness.db.prisma.revisionRequest.count({ where: { firstRunId: { in: [noPull, once] } } }),
    ).toBe(0);
    expect(await harness.db.prisma.run.count({ where: { revisionOf: { in: [noPull, once] } } })).toBe(0);
  });

  it("stops a revision at its template's gate before its first phase; approve runs it, reject ends it", async () => {
    const first = await runAtSpecGate("development-gated");
    await approve(first, "approve-5");
    await waitForRunState(harness.db, first, "completed", WAIT_MS);
    const started = await revise(first, "comment-5-0");
    expect(started).toMatchObject({ state: "started", revision: 2 });
    const runId = started.state === "started" ? started.runId : "";
    await waitForRunState(harness.db, runId, "awaiting_approval", WAIT_MS);
    const atGate = await worker.engine.getStatus(runId);
    expect(atGate.phases).toEqual([]);
    expect(atGate.approvals).toMatchObject([
      { gateKey: "revision_approved", state: "pending", phaseId: null },
    ]);
    expect(atGate.approvals[0]?.headSha).toBe(atGate.run.headSha);
    await approve(runId, "approve-5b");
    await waitForRunState(harness.db, runId, "completed", WAIT_MS);

    const third = await revise(first, "comment-6-0", "Also document it.");
    const thirdId = third.state === "started" ? third.runId : "";
    expect(third).toMatchObject({ state: "started", revision: 3 });
    await waitForRunState(harness.db, thirdId, "awaiting_approval", WAIT_MS);
    await worker.engine.decide({
      runId: thirdId,
      action: "reject",
      clientToken: "reject-6",
      actor: "maintainer",
      source: "comment",
      reason: "Not now.",
    });
    const declined = await waitForRunState(harness.db, thirdId, "failed", WAIT_MS);
    expect(declined.failureCode).toBe("revision_declined");
    expect(await harness.db.prisma.phaseAttempt.count({ where: { runId: thirdId } })).toBe(0);
  });
});
