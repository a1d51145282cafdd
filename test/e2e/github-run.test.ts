// Issue 6's main path, as a user sees it: label → spec (fake agent) → /approve by a writer → implement →
// review → completed; the check run holds the final report, the draft PR is open, the sticky comment
// was edited (not re-posted). Web and worker are separate processes; GitHub is the simulator.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEngineHarness, type EngineHarness, waitForRunState } from "../support/engine-harness.js";
import { type GitHubE2E, startGitHubE2E } from "../support/github-e2e.js";

const REPO = "octo/widgets";
let harness: EngineHarness;
let e2e: GitHubE2E;

beforeAll(async () => {
  harness = await createEngineHarness();
  e2e = await startGitHubE2E({ databaseUrl: harness.db.url, dataDir: harness.tempDir("e2e") });
  await e2e.sim.state.createRepository("octo", "widgets", {
    defaultBranch: "main",
    files: { "README.md": "# widgets\n" },
  });
  e2e.sim.script.setPermission(REPO, "maintainer", "write");
  e2e.sim.script.setPermission(REPO, "reader", "read");
}, 120_000);
afterAll(async () => {
  await e2e?.stop();
  await harness.cleanup();
});

async function runFor(issue: number) {
  await expect
    .poll(() => harness.db.prisma.run.count({ where: { repository: REPO, issueNumber: issue } }), {
      timeout: 20_000,
    })
    .toBe(1);
  return harness.db.prisma.run.findFirstOrThrow({ where: { repository: REPO, issueNumber: issue } });
}

describe("devflow as a GitHub App", () => {
  it("takes a labeled issue through spec, /approve, implement and review to a report in the Checks tab", async () => {
    const { sim } = e2e;
    const issue = sim.state.createIssue(REPO, {
      title: "Add a --verbose flag",
      body: "Print each step.",
      user: "maintainer",
    });
    const labeled = await sim.webhooks.deliver(
      "issues",
      await sim.payloads.issueLabeled({
        repo: REPO,
        issue: issue.number,
        label: "devflow",
        sender: "maintainer",
      }),
    );
    expect(labeled.status).toBe(200);
    const run = await runFor(issue.number);
    await waitForRunState(harness.db, run.id, "awaiting_approval", 60_000).catch((error) => {
      throw new Error(`${error.message}\nWORKER:\n${e2e.worker.output().slice(-3000)}`);
    });

    const approve = await sim.payloads.issueCommentCreated({
      repo: REPO,
      issue: issue.number,
      body: "Looks right.\n/approve",
      sender: "maintainer",
    });
    expect((await sim.webhooks.deliver("issue_comment", approve)).status).toBe(200);
    const done = await waitForRunState(harness.db, run.id, "completed", 90_000);

    // The check run ends with the final report.
    await expect
      .poll(
        () =>
          [...sim.state.checkRuns.values()].filter(
            (c) => c.externalId === run.id && c.conclusion === "success",
          ).length,
        { timeout: 30_000 },
      )
      .toBe(1);
    const check = [...sim.state.checkRuns.values()].find(
      (c) => c.externalId === run.id && c.conclusion === "success",
    );
    expect(check?.headSha).toBe(done.headSha);
    expect(check?.output.summary).toContain(`# devflow run ${run.id}: ✅ completed`);
    // The draft PR is open and links the issue.
    const pulls = sim.state.pulls(REPO);
    expect(pulls).toHaveLength(1);
    expect(pulls[0]?.body).toContain(`Closes #${issue.number}`);
    expect(pulls[0]?.state).toBe("open");
    // One sticky status comment, edited in place.
    const sticky = sim.state.commentsOn(issue).filter((c) => c.body.includes(`devflow:run:${run.id}`));
    expect(sticky).toHaveLength(1);
    expect(sticky[0]?.history.length).toBeGreaterThan(0);
    expect(sticky[0]?.body).toContain("completed");
    // The run branch was pushed through the simulator's git, with the installation token as a header.
    expect(
      sim.state.pushes.some((push) => push.updates.some((u) => u.ref === `refs/heads/${done.branch}`)),
    ).toBe(true);
    // The approval is on record with who, how and when.
    const decision = await harness.db.prisma.approvalDecision.findFirstOrThrow({
      where: { approvalRequest: { runId: run.id } },
    });
    expect([decision.actor, decision.source, decision.action]).toEqual(["maintainer", "comment", "approve"]);
  }, 240_000);
});
