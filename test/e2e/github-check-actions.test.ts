// The check run's Approve / Reject buttons, a run parked by its repository's lowered budget, and a
// repository whose .github/devflow.yml is invalid, as a user meets them: web and worker as separate
// processes, GitHub simulated. Each scenario has its own owner, so its own installation.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { IssueRecord } from "../github-sim/index.js";
import { createEngineHarness, type EngineHarness, waitForRunState } from "../support/engine-harness.js";
import { type GitHubE2E, startGitHubE2E } from "../support/github-e2e.js";

let harness: EngineHarness;
let e2e: GitHubE2E;

beforeAll(async () => {
  harness = await createEngineHarness();
  e2e = await startGitHubE2E({ databaseUrl: harness.db.url, dataDir: harness.tempDir("e2e") });
}, 120_000);
afterAll(async () => {
  await e2e?.stop();
  await harness.cleanup();
});

async function labelIssue(repo: string, title: string) {
  const { sim } = e2e;
  const issue = sim.state.createIssue(repo, { title, user: "writer" });
  const delivery = await sim.webhooks.deliver(
    "issues",
    await sim.payloads.issueLabeled({ repo, issue: issue.number, label: "devflow", sender: "writer" }),
  );
  expect(delivery.status).toBe(200);
  return { issue, deliveryId: delivery.guid };
}

/** The run's check run once it shows the gate's buttons. */
async function checkRunWithButtons(runId: string, notId?: number) {
  const find = () =>
    [...e2e.sim.state.checkRuns.values()].find(
      (check) =>
        check.externalId === runId &&
        check.id !== notId &&
        check.actions.map((a) => a.identifier).join(",") === "approve,reject",
    );
  await expect.poll(() => find()?.id, { timeout: 30_000 }).toBeDefined();
  return find() as NonNullable<ReturnType<typeof find>>;
}

async function press(repo: string, checkRun: number, identifier: string, sender: string) {
  const payload = await e2e.sim.payloads.checkRunRequestedAction({ repo, checkRun, identifier, sender });
  expect((await e2e.sim.webhooks.deliver("check_run", payload)).status).toBe(200);
}

/** Comments devflow wrote on the issue and on the run's pull request. */
function devflowComments(repo: string, issue: IssueRecord) {
  const app = e2e.sim.state.appBot().login;
  const pulls = e2e.sim.state.pulls(repo);
  return [issue, ...pulls].flatMap((on) => e2e.sim.state.commentsOn(on)).filter((c) => c.user === app);
}

describe("the check run's Approve and Reject buttons", () => {
  const REPO = "buttons/widgets";

  beforeAll(async () => {
    await e2e.sim.state.createRepository("buttons", "widgets", { files: { "README.md": "# widgets\n" } });
    e2e.sim.script.setPermission(REPO, "writer", "write");
    e2e.sim.script.setPermission(REPO, "reader", "read");
  });

  it("decide the gate for a writer, are refused (told and audited) for a reader, and go dead on a superseded check run", async () => {
    const { issue } = await labelIssue(REPO, "Buttons decide");
    await expect
      .poll(() => harness.db.prisma.run.count({ where: { repository: REPO, issueNumber: issue.number } }), {
        timeout: 20_000,
      })
      .toBe(1);
    const run = await harness.db.prisma.run.findFirstOrThrow({
      where: { repository: REPO, issueNumber: issue.number },
    });
    await waitForRunState(harness.db, run.id, "awaiting_approval", 60_000);
    const first = await checkRunWithButtons(run.id);

    // A reader presses Approve: nothing is decided, the reader is told why, the attempt is audited.
    await press(REPO, first.id, "approve", "reader");
    const refused = await harness.db.prisma.auditEntry.findFirstOrThrow({
      where: { runId: run.id, actor: "reader", action: "command.approve" },
    });
    expect([refused.source, refused.outcome]).toEqual(["check_action", "refused"]);
    expect(
      await harness.db.prisma.approvalDecision.count({ where: { approvalRequest: { runId: run.id } } }),
    ).toBe(0);
    await expect
      .poll(
        () =>
          devflowComments(REPO, issue).filter(
            (c) => c.body.includes("@reader `/approve` was not applied") && c.body.includes("write"),
          ).length,
        { timeout: 60_000 },
      )
      .toBe(1);

    // A writer presses Reject: the spec goes back to the agent and a new gate opens on a new head.
    await press(REPO, first.id, "reject", "writer");
    const rejected = await harness.db.prisma.approvalDecision.findFirstOrThrow({
      where: { approvalRequest: { runId: run.id } },
    });
    expect([rejected.actor, rejected.source, rejected.action]).toEqual(["writer", "check_action", "reject"]);
    await expect
      .poll(() => harness.db.prisma.approvalRequest.count({ where: { runId: run.id, state: "pending" } }), {
        timeout: 60_000,
      })
      .toBe(1);
    await waitForRunState(harness.db, run.id, "awaiting_approval", 60_000);
    const second = await checkRunWithButtons(run.id, first.id);
    // The first check run no longer offers buttons; one pressed there anyway decides nothing.
    await expect
      .poll(() => e2e.sim.state.checkRuns.get(first.id)?.actions.length, { timeout: 30_000 })
      .toBe(0);
    await expect
      .poll(
        async () => (await harness.db.prisma.run.findUniqueOrThrow({ where: { id: run.id } })).checkRunId,
        { timeout: 30_000 },
      )
      .toBe(BigInt(second.id));
    await press(REPO, first.id, "approve", "writer");
    const stale = await harness.db.prisma.auditEntry.findMany({
      where: { runId: run.id, actor: "writer", action: "command.approve" },
    });
    expect(stale.map((entry) => entry.outcome)).toEqual(["refused"]);
    expect(
      await harness.db.prisma.approvalDecision.count({ where: { approvalRequest: { runId: run.id } } }),
    ).toBe(1);

    // Approve on the current check run lets the run go on to the end.
    await press(REPO, second.id, "approve", "writer");
    const decisions = await harness.db.prisma.approvalDecision.findMany({
      where: { approvalRequest: { runId: run.id } },
      orderBy: { createdAt: "asc" },
    });
    expect(decisions.map((d) => [d.action, d.source, d.actor])).toEqual([
      ["reject", "check_action", "writer"],
      ["approve", "check_action", "writer"],
    ]);
    await waitForRunState(harness.db, run.id, "completed", 90_000);
  }, 240_000);
});

describe("a budget the repository lowered", () => {
  const REPO = "budgeted/widgets";

  it("parks the run at budget_exceeded, says so in the check run and to /devflow status, and Approve lets it go on", async () => {
    // No gate, and one attempt for the whole run: the spec's. Implement's first attempt is one too many.
    await e2e.sim.state.createRepository("budgeted", "widgets", {
      files: {
        "README.md": "# widgets\n",
        ".github/devflow.yml": "gates: []\nbudgets:\n  run: { attempts: 1 }\n",
      },
    });
    e2e.sim.script.setPermission(REPO, "writer", "write");
    const { issue } = await labelIssue(REPO, "Within budget");
    await expect
      .poll(() => harness.db.prisma.run.count({ where: { repository: REPO } }), { timeout: 20_000 })
      .toBe(1);
    const run = await harness.db.prisma.run.findFirstOrThrow({ where: { repository: REPO } });

    const crossed =
      "**Budget:** The run's attempt limit of 1 attempt was crossed: 2 attempts spent (phase `implement`, attempt 1). `/approve` raises it to 3 attempts and continues with a new attempt of `implement`; `/reject <reason>` ends the run.";
    const budgetCheck = () =>
      [...e2e.sim.state.checkRuns.values()].find(
        (check) => check.externalId === run.id && check.output.summary?.includes(crossed),
      );
    await expect
      .poll(() => budgetCheck()?.actions.map((a) => a.identifier), { timeout: 60_000 })
      .toEqual(["approve", "reject"]);
    expect(e2e.sim.state.commentsOn(issue).some((c) => c.viaApp && c.body.includes(crossed))).toBe(true);

    const asked = await e2e.sim.payloads.issueCommentCreated({
      repo: REPO,
      issue: issue.number,
      body: "/devflow status",
      sender: "writer",
    });
    expect((await e2e.sim.webhooks.deliver("issue_comment", asked)).status).toBe(200);
    await expect
      .poll(
        () =>
          devflowComments(REPO, issue).find((c) => c.body.startsWith(`devflow run \`${run.id}\``))?.body ??
          "",
        { timeout: 60_000 },
      )
      .toContain("is **waiting at `budget_exceeded`** (phase `implement`, attempt 1).\nTime spent: ");
    expect(devflowComments(REPO, issue).find((c) => c.body.startsWith("devflow run"))?.body).toContain(
      "Cost so far: nothing reported yet.",
    );

    await press(REPO, (budgetCheck() as NonNullable<ReturnType<typeof budgetCheck>>).id, "approve", "writer");
    // The raised limit holds the new attempt: implement runs again and the run goes on.
    await expect
      .poll(
        async () =>
          (
            await harness.db.prisma.phaseAttempt.findFirst({
              where: { runId: run.id, phaseKey: "implement", attempt: 2 },
            })
          )?.state,
        { timeout: 60_000 },
      )
      .toBe("succeeded");
  }, 240_000);
});

describe("an invalid .github/devflow.yml on the default branch", () => {
  async function refusedFor(owner: string, config: string) {
    const repo = `${owner}/widgets`;
    await e2e.sim.state.createRepository(owner, "widgets", {
      files: { "README.md": "# widgets\n", ".github/devflow.yml": config },
    });
    e2e.sim.script.setPermission(repo, "writer", "write");
    const { issue, deliveryId } = await labelIssue(repo, "Start me");
    const delivery = await harness.db.prisma.webhookDelivery.findUniqueOrThrow({ where: { deliveryId } });
    expect(delivery.outcome).toBe("refused");
    // The file was read from GitHub once for the delivery, though the label check and the trigger both use it.
    const reads = e2e.sim.requests.filter(
      (r) => r.method === "GET" && r.apiPath.startsWith(`/repos/${repo}/contents/`),
    );
    expect(reads).toHaveLength(1);
    // Every effect of the refusal delivered: whatever devflow had to say is on the issue now.
    await expect
      .poll(
        () =>
          harness.db.prisma.outboxEffect.count({
            where: { key: { startsWith: deliveryId }, state: "pending" },
          }),
        {
          timeout: 60_000,
        },
      )
      .toBe(0);
    expect(
      await harness.db.prisma.outboxEffect.count({ where: { key: { startsWith: deliveryId } } }),
    ).toBeGreaterThan(0);
    expect(await harness.db.prisma.run.count({ where: { repository: repo } })).toBe(0);
    const comments = devflowComments(repo, issue);
    expect(comments).toHaveLength(1);
    return comments[0]?.body ?? "";
  }

  it("gets exactly one comment naming each bad key, its problem and its fix, and starts no run", async () => {
    const body = await refusedFor("badkeys", "abortOnClose: sometimes\nlabl: devflow\n");
    expect(body).toContain("devflow did not start a run: .github/devflow.yml is not valid");
    expect(body).toContain(
      "`abortOnClose`: Invalid input: expected boolean, received string. Fix: set it to `true` or `false`.",
    );
    expect(body).toContain(
      '`labl`: not a devflow setting (did you mean "label"?). Fix: remove it or correct its spelling',
    );
    expect(body).toContain("Fix the named key in .github/devflow.yml on the default branch");
  }, 120_000);

  it("gets exactly one comment when it would raise a budget above the server's", async () => {
    const body = await refusedFor("overbudget", "budgets:\n  run: { costUsd: 500 }\n");
    expect(body).toContain(
      "`budgets.run.costUsd`: 500 is above this server's limit of 50; a repository may lower a budget, never raise it. Fix: set it to 50 or less",
    );
  }, 120_000);

  it("gets exactly one comment saying where the YAML broke when the file does not parse", async () => {
    const body = await refusedFor("badyaml", "label: [devflow\ngates: spec_approved\n");
    expect(body).toContain("the file: it is not valid YAML (");
    expect(body).toMatch(/line \d+, column \d+/);
    expect(body).toContain("Fix: write a YAML map of settings");
  }, 120_000);
});
