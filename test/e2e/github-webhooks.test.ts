// Issue 6's guarantees at the webhook edge, against web and worker processes and the simulator:
// duplicates, concurrent decisions, who may decide, bad requests, every real payload, rate limits.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { allExamples } from "../github-sim/index.js";
import { createEngineHarness, type EngineHarness, waitForRunState } from "../support/engine-harness.js";
import { type GitHubE2E, processedDeliveries, startGitHubE2E } from "../support/github-e2e.js";

const REPO = "octo/gadgets";
let harness: EngineHarness;
let e2e: GitHubE2E;

beforeAll(async () => {
  harness = await createEngineHarness();
  e2e = await startGitHubE2E({ databaseUrl: harness.db.url, dataDir: harness.tempDir("e2e") });
  await e2e.sim.state.createRepository("octo", "gadgets", {
    defaultBranch: "main",
    files: { "README.md": "# gadgets\n" },
  });
  for (const [login, role] of [
    ["writer", "write"],
    ["second", "write"],
    ["reader", "read"],
    ["triager", "triage"],
  ] as const) {
    e2e.sim.script.setPermission(REPO, login, role);
  }
  e2e.sim.script.addBot("helper-bot[bot]");
}, 120_000);
afterAll(async () => {
  await e2e?.stop();
  await harness.cleanup();
});

async function issueAtGate(title: string) {
  const { sim } = e2e;
  const issue = sim.state.createIssue(REPO, { title, user: "writer" });
  await sim.webhooks.deliver(
    "issues",
    await sim.payloads.issueLabeled({ repo: REPO, issue: issue.number, label: "devflow", sender: "writer" }),
  );
  await expect
    .poll(() => harness.db.prisma.run.count({ where: { repository: REPO, issueNumber: issue.number } }), {
      timeout: 20_000,
    })
    .toBe(1);
  const run = await harness.db.prisma.run.findFirstOrThrow({
    where: { repository: REPO, issueNumber: issue.number },
  });
  await waitForRunState(harness.db, run.id, "awaiting_approval", 60_000);
  return { issue, run };
}

async function comment(issue: number, body: string, sender: string) {
  return e2e.sim.payloads.issueCommentCreated({ repo: REPO, issue, body, sender });
}

describe("the webhook edge", () => {
  it("starts one run for a delivery posted five times", async () => {
    const { sim } = e2e;
    const issue = sim.state.createIssue(REPO, { title: "Once only", user: "writer" });
    const payload = await sim.payloads.issueLabeled({
      repo: REPO,
      issue: issue.number,
      label: "devflow",
      sender: "writer",
    });
    const deliveryId = randomUUID();
    const answers = await Promise.all(
      [1, 2, 3, 4, 5].map(() => sim.webhooks.deliver("issues", payload, { deliveryId })),
    );
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    await expect
      .poll(() => harness.db.prisma.run.count({ where: { repository: REPO, issueNumber: issue.number } }), {
        timeout: 10_000,
      })
      .toBe(1);
    expect(await harness.db.prisma.webhookDelivery.count({ where: { deliveryId } })).toBe(1);
  }, 60_000);

  it("records exactly one decision for two /approve at once", async () => {
    const { issue, run } = await issueAtGate("Two approvals");
    const first = await comment(issue.number, "/approve", "writer");
    const second = await comment(issue.number, "/approve", "second");
    await Promise.all([
      e2e.sim.webhooks.deliver("issue_comment", first),
      e2e.sim.webhooks.deliver("issue_comment", second),
    ]);
    await expect
      .poll(
        () => harness.db.prisma.auditEntry.count({ where: { runId: run.id, action: "command.approve" } }),
        { timeout: 20_000 },
      )
      .toBe(2);
    expect(
      await harness.db.prisma.approvalDecision.count({ where: { approvalRequest: { runId: run.id } } }),
    ).toBe(1);
  }, 120_000);

  it("accepts /approve from nobody without the right: read, triage, a bot, the app itself, or while GitHub cannot say", async () => {
    const { sim } = e2e;
    const { issue, run } = await issueAtGate("Who may approve");
    const app = sim.state.appBot().login;
    const guids: string[] = [];
    for (const sender of ["reader", "triager", "helper-bot[bot]", app]) {
      const sent = await sim.webhooks.deliver(
        "issue_comment",
        await comment(issue.number, "/approve", sender),
      );
      guids.push(sent.guid);
    }
    await processedDeliveries(harness.db.prisma, guids);

    const refused = await harness.db.prisma.auditEntry.findMany({
      where: { runId: run.id, action: "command.approve", outcome: "refused" },
    });
    expect(refused.map((entry) => entry.actor).sort()).toEqual(
      ["helper-bot[bot]", "reader", "triager", app].sort(),
    );
    const decisions = () =>
      harness.db.prisma.approvalDecision.count({ where: { approvalRequest: { runId: run.id } } });
    expect(await decisions()).toBe(0);
    expect((await harness.db.prisma.run.findUniqueOrThrow({ where: { id: run.id } })).state).toBe(
      "awaiting_approval",
    );
    // Each person was told why, in a reply on the issue (GitHub paces comment creation ~3 s apart);
    // bots are not answered, so that two bots never talk to each other forever.
    await expect
      .poll(() => sim.state.commentsOn(issue).filter((c) => c.body.includes("was not applied")).length, {
        timeout: 90_000,
      })
      .toBe(2);
    const told = sim.state.commentsOn(issue).filter((c) => c.body.includes("was not applied"));
    expect(told.map((c) => /^@(\S+)/.exec(c.body)?.[1]).sort()).toEqual(["reader", "triager"]);

    // A writer's /approve while GitHub cannot say who they are: nothing is decided and nobody refused;
    // the delivery waits for its retry, and applies once GitHub answers.
    sim.script.failNext("GET", /\/collaborators\/writer\/permission$/, { status: 500 }, { times: 10 });
    const fromWriter = await e2e.deliverStored(
      "issue_comment",
      await comment(issue.number, "/approve", "writer"),
    );
    const delivery = () =>
      harness.db.prisma.webhookDelivery.findUniqueOrThrow({ where: { deliveryId: fromWriter.guid } });
    await expect.poll(async () => (await delivery()).attempts, { timeout: 30_000 }).toBeGreaterThan(0);
    expect((await delivery()).processedAt).toBeNull();
    expect(await decisions()).toBe(0);
    expect(
      await harness.db.prisma.auditEntry.count({
        where: { runId: run.id, action: "command.approve", actor: "writer" },
      }),
    ).toBe(0);
    sim.script.clear();
    await processedDeliveries(harness.db.prisma, [fromWriter.guid]);
    expect(await decisions()).toBe(1);
    expect(sim.state.commentsOn(issue).filter((c) => c.body.startsWith("@writer"))).toEqual([]);
  }, 180_000);

  it("answers a bad signature 401, malformed JSON and an unknown event 400, and records nothing", async () => {
    const { sim } = e2e;
    const before = await harness.db.prisma.webhookDelivery.count();
    const payload = await sim.payloads.issueLabeled({
      repo: REPO,
      issue: sim.state.createIssue(REPO, { title: "x", user: "writer" }).number,
      label: "devflow",
      sender: "writer",
    });
    expect((await sim.webhooks.deliver("issues", payload, { signWith: "wrong-secret" })).status).toBe(401);
    expect((await sim.webhooks.deliver("issues", payload, { signWith: false })).status).toBe(401);
    expect((await sim.webhooks.deliver("issues", payload, { rawBody: "{not json" })).status).toBe(400);
    expect((await sim.webhooks.deliver("no_such_event", payload)).status).toBe(400);
    expect(await harness.db.prisma.webhookDelivery.count()).toBe(before);
  });

  it("takes every payload of @octokit/webhooks-examples without a crash, acting only where devflow acts", async () => {
    const runsBefore = await harness.db.prisma.run.count();
    const statuses = new Map<number, number>();
    const guids: string[] = [];
    for (const example of allExamples()) {
      const { status, guid } = await e2e.sim.webhooks.deliver(example.event, example.payload);
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      guids.push(guid);
    }
    expect([...statuses.keys()]).toEqual([200]);
    // Each processed from the inbox (a replayed example is refused at once); none failed.
    const outcomes = await processedDeliveries(harness.db.prisma, guids);
    expect(outcomes.filter((outcome) => outcome.startsWith("failed"))).toEqual([]);
    // The examples' repositories have no installation of ours and carry no trigger we act on here.
    expect(await harness.db.prisma.run.count()).toBe(runsBefore);
  }, 120_000);
});

describe("effects under GitHub's secondary rate limit", () => {
  it("delivers the sticky comment once, after the retry-after, even when the limited write went through", async () => {
    const { sim } = e2e;
    // GitHub took the comment, then answered 403 with retry-after: a careless retry would post it twice.
    const issue = sim.state.createIssue(REPO, { title: "Rate limited", user: "writer" });
    const comments = new RegExp(`/issues/${issue.number}/comments$`);
    sim.script.failNext(
      "POST",
      comments,
      { status: 403, retryAfter: 2, secondaryRateLimit: true, afterEffect: true },
      { times: 1 },
    );
    const labeled = await sim.webhooks.deliver(
      "issues",
      await sim.payloads.issueLabeled({
        repo: REPO,
        issue: issue.number,
        label: "devflow",
        sender: "writer",
      }),
    );
    await processedDeliveries(harness.db.prisma, [labeled.guid]);
    const run = await harness.db.prisma.run.findFirstOrThrow({
      where: { repository: REPO, issueNumber: issue.number },
    });
    await waitForRunState(harness.db, run.id, "awaiting_approval", 60_000);
    await expect
      .poll(
        () =>
          sim.state
            .commentsOn(issue)
            .filter(
              (c) => c.body.includes(`devflow:run:${run.id}`) && c.body.includes("waiting for your decision"),
            ).length,
        { timeout: 60_000 },
      )
      .toBe(1);
    expect(sim.state.commentsOn(issue).filter((c) => c.body.includes(`devflow:run:${run.id}`))).toHaveLength(
      1,
    );
    const limited = sim.requests.filter(
      (r) => r.method === "POST" && comments.test(r.apiPath) && r.status === 403,
    );
    expect(limited).toHaveLength(1);
    // The limited effect was not dropped: it is recorded with its error and delivered (or folded into a later one).
    await expect
      .poll(
        () =>
          harness.db.prisma.outboxEffect.count({
            where: { runId: run.id, lastError: { not: null }, state: "delivered" },
          }),
        { timeout: 30_000 },
      )
      .toBeGreaterThan(0);
  }, 120_000);
});
