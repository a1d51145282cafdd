// A command reaches devflow more than once: one delivery id posted five times at once, and a delivery
// GitHub sends again after devflow's handler failed part-way (its delivery record forgotten, as the
// failure path does). Either way the person sees one reply, and the command is audited once per run
// of its handler — never a reply per copy.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEngineHarness, type EngineHarness } from "../support/engine-harness.js";
import { type GitHubE2E, startGitHubE2E } from "../support/github-e2e.js";

const REPO = "octo/replays";
let harness: EngineHarness;
let e2e: GitHubE2E;

beforeAll(async () => {
  harness = await createEngineHarness();
  e2e = await startGitHubE2E({ databaseUrl: harness.db.url, dataDir: harness.tempDir("e2e") });
  await e2e.sim.state.createRepository("octo", "replays", {
    defaultBranch: "main",
    files: { "README.md": "# replays\n" },
  });
  e2e.sim.script.setPermission(REPO, "writer", "write");
}, 120_000);
afterAll(async () => {
  await e2e?.stop();
  await harness.cleanup();
});

async function statusComment() {
  const issue = e2e.sim.state.createIssue(REPO, { title: "Where is it?", user: "writer" });
  const payload = await e2e.sim.payloads.issueCommentCreated({
    repo: REPO,
    issue: issue.number,
    body: "/status",
    sender: "writer",
  });
  const replies = () => e2e.sim.state.commentsOn(issue).filter((comment) => comment.viaApp);
  const audited = () =>
    harness.db.prisma.auditEntry.count({
      where: {
        repository: REPO,
        action: "command.status",
        details: { path: ["deliveryId"], equals: deliveryId },
      },
    });
  const deliveryId = randomUUID();
  return { payload, deliveryId, replies, audited };
}

describe("a command delivered more than once", () => {
  it("answers one delivery id posted five times with one reply and one audit row", async () => {
    const { payload, deliveryId, replies, audited } = await statusComment();
    const answers = await Promise.all(
      [1, 2, 3, 4, 5].map(() => e2e.sim.webhooks.deliver("issue_comment", payload, { deliveryId })),
    );
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200]);
    await expect.poll(() => replies().length, { timeout: 20_000 }).toBe(1);
    expect(replies()[0]?.body).toContain("There is no devflow run on this issue");
    expect(await audited()).toBe(1);
  }, 60_000);

  it("answers once when the handler runs again after failing part-way", async () => {
    const { payload, deliveryId, replies, audited } = await statusComment();
    await e2e.sim.webhooks.deliver("issue_comment", payload, { deliveryId });
    await expect.poll(() => replies().length, { timeout: 20_000 }).toBe(1);
    // What a handler that failed after writing its reply leaves: the reply in the outbox (here already
    // delivered) and its delivery forgotten, so GitHub's redelivery is processed again.
    await harness.db.prisma.webhookDelivery.delete({ where: { deliveryId } });
    await e2e.sim.webhooks.deliver("issue_comment", payload, { deliveryId });
    await expect.poll(audited, { timeout: 20_000 }).toBe(2); // the handler did run a second time
    const effects = await harness.db.prisma.outboxEffect.findMany({
      where: { key: { startsWith: deliveryId } },
    });
    await expect
      .poll(
        () =>
          harness.db.prisma.outboxEffect.count({
            where: { key: { startsWith: deliveryId }, state: { not: "delivered" } },
          }),
        { timeout: 20_000 },
      )
      .toBe(0);
    expect(effects.map((effect) => effect.kind)).toEqual(["comment.reply"]);
    expect(replies()).toHaveLength(1);
  }, 60_000);
});
