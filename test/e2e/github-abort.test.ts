// Closing the issue, closing the run's pull request, or removing the trigger label aborts the run when
// the repository's config says so, and leaves it alone when it says not (defaults: closing aborts,
// unlabeling does not). Web and worker as separate processes; GitHub simulated.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEngineHarness, type EngineHarness, waitForRunState } from "../support/engine-harness.js";
import { type GitHubE2E, startGitHubE2E } from "../support/github-e2e.js";

const DEFAULTS = "closer/widgets"; // no .github/devflow.yml
const KEEPER = "keeper/widgets"; // abortOnClose: false, abortOnUnlabel: true
let harness: EngineHarness;
let e2e: GitHubE2E;

beforeAll(async () => {
  harness = await createEngineHarness();
  e2e = await startGitHubE2E({ databaseUrl: harness.db.url, dataDir: harness.tempDir("e2e") });
  await e2e.sim.state.createRepository("closer", "widgets", { files: { "README.md": "# widgets\n" } });
  await e2e.sim.state.createRepository("keeper", "widgets", {
    files: {
      "README.md": "# widgets\n",
      ".github/devflow.yml": "abortOnClose: false\nabortOnUnlabel: true\n",
    },
  });
  for (const repo of [DEFAULTS, KEEPER]) e2e.sim.script.setPermission(repo, "writer", "write");
}, 120_000);
afterAll(async () => {
  await e2e?.stop();
  await harness.cleanup();
});

/** A labeled issue whose run waits at its first gate with its draft pull request open. */
async function runAtGate(repo: string, title: string, label = "devflow") {
  const { sim } = e2e;
  const issue = sim.state.createIssue(repo, { title, user: "writer" });
  await sim.webhooks.deliver(
    "issues",
    await sim.payloads.issueLabeled({ repo, issue: issue.number, label, sender: "writer" }),
  );
  const find = () =>
    harness.db.prisma.run.findFirst({ where: { repository: repo, issueNumber: issue.number } });
  await expect.poll(async () => (await find())?.id, { timeout: 20_000 }).toBeDefined();
  const { id } = (await find()) as NonNullable<Awaited<ReturnType<typeof find>>>;
  await waitForRunState(harness.db, id, "awaiting_approval", 60_000);
  await expect.poll(async () => (await find())?.pullRequestNumber, { timeout: 60_000 }).not.toBeNull();
  const run = await harness.db.prisma.run.findUniqueOrThrow({ where: { id } });
  return { issue: issue.number, pull: run.pullRequestNumber as number, runId: id, label };
}

type Trigger = "closeIssue" | "closePull" | "unlabel";

/** Sends the event as GitHub would and returns what devflow recorded as the delivery's outcome. */
async function send(repo: string, target: { issue: number; pull: number; label: string }, trigger: Trigger) {
  const { sim } = e2e;
  const delivered =
    trigger === "closeIssue"
      ? await sim.webhooks.deliver(
          "issues",
          await sim.payloads.issuesClosed({ repo, issue: target.issue, sender: "writer" }),
        )
      : trigger === "closePull"
        ? await sim.webhooks.deliver(
            "pull_request",
            await sim.payloads.pullRequestClosed({ repo, pull: target.pull, sender: "writer" }),
          )
        : await sim.webhooks.deliver(
            "issues",
            await sim.payloads.issueUnlabeled({
              repo,
              issue: target.issue,
              label: target.label,
              sender: "writer",
            }),
          );
  expect(delivered.status).toBe(200);
  const delivery = await harness.db.prisma.webhookDelivery.findUniqueOrThrow({
    where: { deliveryId: delivered.guid },
  });
  return delivery.outcome;
}

const REASONS: Record<string, string> = {
  issue_closed: "the issue was closed",
  pull_request_closed: "the run's pull request was closed",
  unlabeled: "the trigger label was removed",
};

async function expectAborted(runId: string, why: string) {
  await waitForRunState(harness.db, runId, "aborted", 30_000);
  const audit = await harness.db.prisma.auditEntry.findFirstOrThrow({
    where: { runId, action: `abort.${why}` },
  });
  expect([audit.actor, audit.outcome]).toEqual(["writer", "accepted"]);
  // The run (and so its report) says why it was aborted, not only by whom.
  const run = await harness.db.prisma.run.findUniqueOrThrow({ where: { id: runId } });
  expect(run.failureReason).toBe(`Aborted by writer: ${REASONS[why]}.`);
  // What the user sees: the check run ends cancelled, the sticky comment says aborted.
  await expect
    .poll(
      () =>
        [...e2e.sim.state.checkRuns.values()].filter(
          (check) => check.externalId === runId && check.conclusion === "cancelled",
        ).length,
      { timeout: 60_000 },
    )
    .toBe(1);
}

async function stateOf(runId: string) {
  return (await harness.db.prisma.run.findUniqueOrThrow({ where: { id: runId } })).state;
}

describe("with the default config", () => {
  it("closing the issue aborts the run", async () => {
    const run = await runAtGate(DEFAULTS, "Close the issue");
    expect(await send(DEFAULTS, run, "closeIssue")).toBe(`aborted ${run.runId}`);
    await expectAborted(run.runId, "issue_closed");
  }, 180_000);

  it("closing the run's pull request aborts the run", async () => {
    const run = await runAtGate(DEFAULTS, "Close the PR");
    expect(await send(DEFAULTS, run, "closePull")).toBe(`aborted ${run.runId}`);
    await expectAborted(run.runId, "pull_request_closed");
  }, 180_000);

  it("removing the label leaves the run alone", async () => {
    const run = await runAtGate(DEFAULTS, "Unlabel me");
    expect(await send(DEFAULTS, run, "unlabel")).toBe("ignored: abortOnUnlabel is off");
    expect(await stateOf(run.runId)).toBe("awaiting_approval");
  }, 180_000);
});

describe("with abortOnClose: false and abortOnUnlabel: true", () => {
  it("closing the issue or the pull request leaves the run alone, removing the label aborts it", async () => {
    // Named as GitHub shows it, in another case than the server's `devflow`: the same label to GitHub.
    const run = await runAtGate(KEEPER, "Keep me open", "DevFlow");
    expect(await send(KEEPER, run, "closeIssue")).toBe("ignored: abortOnClose is off");
    expect(await send(KEEPER, run, "closePull")).toBe("ignored: abortOnClose is off");
    expect(await stateOf(run.runId)).toBe("awaiting_approval");
    expect(await send(KEEPER, run, "unlabel")).toBe(`aborted ${run.runId}`);
    await expectAborted(run.runId, "unlabeled");
  }, 180_000);
});
