// The Action under real GitHub's rules for the token it acts with (sim.workflows). With the workflow's
// GITHUB_TOKEN, GitHub starts no workflow for the check run's buttons (their suite is GitHub Actions')
// nor for devflow's pushes: devflow offers no buttons and asks for comments. With a GitHub App's token
// (actions/create-github-app-token), a press reaches the workflow and decides, and pushes start CI.
// Either way a job starts at most one phase, and the schedule continues the run.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ActionFixture, createActionFixture, explain, REPO } from "./action-fixture.js";

async function runAtGate(fx: ActionFixture, title: string) {
  const issue = fx.sim.state.createIssue(REPO, { title, user: "maintainer" });
  const labeled = await fx.job("issues", await fx.labeledEvent(issue.number));
  expect(labeled.code, explain(labeled)).toBe(0);
  const run = await fx.client.prisma.run.findFirstOrThrow({ where: { issueNumber: issue.number } });
  expect(run.state).toBe("awaiting_approval");
  const check = [...fx.sim.state.checkRuns.values()].find((c) => c.externalId === run.id);
  if (!check) throw new Error("no check run for the run");
  return { issue, run, check };
}

function runBranchPushes(fx: ActionFixture, branch: string | null) {
  return fx.sim.state.pushes.filter((push) => push.updates.some((u) => u.ref === `refs/heads/${branch}`));
}

describe("the Action with the workflow's GITHUB_TOKEN", () => {
  let fx: ActionFixture;
  beforeAll(async () => {
    fx = await createActionFixture();
  }, 60_000);
  afterAll(async () => {
    await fx?.cleanup();
  });

  it("offers no buttons GitHub would never deliver, asks for /approve, and its pushes start no CI", async () => {
    const { sim, client } = fx;
    const { issue, run, check } = await runAtGate(fx, "Add a --quiet flag");
    expect(check.actions).toEqual([]);
    expect(check.output.summary).toContain("Comment `/approve` or `/reject <reason>`");
    expect(check.output.summary).not.toContain("buttons above");

    // Had a button been shown and pressed, GitHub would start no workflow: its suite is GitHub Actions'.
    const press = await sim.payloads.checkRunRequestedAction({
      repo: REPO,
      checkRun: check.id,
      identifier: "approve",
      sender: "maintainer",
    });
    expect(await fx.deliver("check_run", press)).toBeUndefined();
    expect((await client.prisma.run.findUniqueOrThrow({ where: { id: run.id } })).state).toBe(
      "awaiting_approval",
    );

    const approved = await fx.deliver(
      "issue_comment",
      await sim.payloads.issueCommentCreated({
        repo: REPO,
        issue: issue.number,
        body: "/approve",
        sender: "maintainer",
      }),
    );
    expect(approved?.code, approved && explain(approved)).toBe(0);
    const after = await client.prisma.run.findUniqueOrThrow({ where: { id: run.id } });
    const pushes = runBranchPushes(fx, after.branch);
    expect(pushes.length).toBeGreaterThan(0);
    expect(pushes.every((push) => !sim.workflows.pushStartsWorkflows(push))).toBe(true);
  }, 240_000);

  it("says which setting lets the workflow token open the run's pull request when GitHub refuses it", async () => {
    const { sim } = fx;
    // GitHub's answer while "Allow GitHub Actions to create and approve pull requests" is off.
    sim.script.failNext(
      "POST",
      "/repos/{owner}/{repo}/pulls",
      { status: 403, message: "GitHub Actions is not permitted to create or approve pull requests." },
      { times: 100 },
    );
    const issue = sim.state.createIssue(REPO, { title: "Trim the log lines", user: "maintainer" });
    const first = sim.requests.length;
    const labeled = await fx.job("issues", await fx.labeledEvent(issue.number));
    sim.script.clear();
    expect(labeled.code, explain(labeled)).toBe(0);
    // A setting refused it: the job asks once, not again and again for its minutes' worth of backoff.
    const pulls = sim.requests
      .slice(first)
      .filter((r) => r.method === "POST" && r.apiPath === `/repos/${REPO}/pulls`);
    expect(pulls.map((r) => r.status)).toEqual([403]);
    expect(sim.state.pulls(REPO).filter((p) => p.title.includes("Trim the log lines"))).toEqual([]);
    // The refused PR does not keep the run from GitHub: its sticky comment shows the gate.
    expect(sim.state.commentsOn(issue).filter((c) => c.body.includes("spec_approved"))).toHaveLength(1);
    expect(labeled.stdout).toMatch(
      /^::warning title=devflow::GitHub refused to let the workflow token open/m,
    );
    expect(labeled.summary).toContain('"Allow GitHub Actions to create and approve pull requests"');
  }, 240_000);
});

describe("the Action with a GitHub App's token", () => {
  let fx: ActionFixture;
  beforeAll(async () => {
    fx = await createActionFixture(undefined, { token: "app" });
  }, 60_000);
  afterAll(async () => {
    await fx?.cleanup();
  });

  it("approves with the check run's button, runs one phase per job, continues on the schedule, and its pushes start CI", async () => {
    const { sim, client } = fx;
    const { run, check } = await runAtGate(fx, "Add a health check");
    expect(check.actions.map((a) => a.identifier)).toEqual(["approve", "reject"]);

    const pressed = await fx.deliver(
      "check_run",
      await sim.payloads.checkRunRequestedAction({
        repo: REPO,
        checkRun: check.id,
        identifier: "approve",
        sender: "maintainer",
      }),
    );
    expect(pressed?.code, pressed && explain(pressed)).toBe(0);
    const decision = await client.prisma.approvalDecision.findFirstOrThrow({
      where: { approvalRequest: { runId: run.id } },
    });
    expect([decision.actor, decision.source, decision.action]).toEqual([
      "maintainer",
      "check_action",
      "approve",
    ]);
    // One phase per job: implement ran; review waits for the next job.
    const between = await client.prisma.run.findUniqueOrThrow({ where: { id: run.id } });
    expect([between.state, between.currentPhaseKey]).toEqual(["executing", "review"]);
    const phases = await client.prisma.phaseAttempt.findMany({
      where: { runId: run.id },
      orderBy: { startedAt: "asc" },
    });
    expect(phases.map((p) => [p.phaseKey, p.state])).toEqual([
      ["spec", "succeeded"],
      ["implement", "succeeded"],
      ["review", "running"],
    ]);
    expect(pressed?.stdout).toContain("this job ran its one phase");
    expect(pressed?.summary).toContain("the next devflow job");
    const pushes = runBranchPushes(fx, between.branch);
    expect(pushes.length).toBeGreaterThan(0);
    expect(pushes.every((push) => sim.workflows.pushStartsWorkflows(push))).toBe(true);

    // The schedule continues the run; the review's clock starts when its job does.
    const openedAt = phases[2]?.startedAt.getTime() ?? 0;
    const scheduled = await fx.deliver("schedule", { schedule: "*/10 * * * *" });
    expect(scheduled?.code, scheduled && explain(scheduled)).toBe(0);
    fx.expectNoSecrets(scheduled ?? { code: 1, stdout: "", stderr: "", summary: "" });
    const done = await client.prisma.run.findUniqueOrThrow({ where: { id: run.id } });
    expect(done.state).toBe("completed");
    expect(done.reportWrittenAt).not.toBe(null);
    const review = await client.prisma.phaseAttempt.findFirstOrThrow({
      where: { runId: run.id, phaseKey: "review" },
    });
    expect(review.startedAt.getTime()).toBeGreaterThan(openedAt);
    const concluded = [...sim.state.checkRuns.values()].find(
      (c) => c.externalId === run.id && c.conclusion === "success",
    );
    expect(concluded?.output.summary).toContain(`# devflow run ${run.id}: ✅ completed`);
  }, 240_000);
});
