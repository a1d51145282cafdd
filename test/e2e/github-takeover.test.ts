// Issue 11, points 1 and 6, as a hostile GitHub user tries them against web and worker processes and
// the simulator: starting a run without the right (a comment, a label), flooding one comment with
// commands, and re-posting a captured signed delivery under a new X-GitHub-Delivery.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEngineHarness, type EngineHarness, waitForRunState } from "../support/engine-harness.js";
import { type GitHubE2E, startGitHubE2E } from "../support/github-e2e.js";

// Public, as the attack needs: on a public repository anybody may comment.
const REPO = "octo/takeover";
let harness: EngineHarness;
let e2e: GitHubE2E;

beforeAll(async () => {
  harness = await createEngineHarness();
  e2e = await startGitHubE2E({ databaseUrl: harness.db.url, dataDir: harness.tempDir("e2e") });
  await e2e.sim.state.createRepository("octo", "takeover", {
    defaultBranch: "main",
    files: { "README.md": "# takeover\n" },
    private: false,
  });
  e2e.sim.script.setPermission(REPO, "writer", "write");
  e2e.sim.script.setPermission(REPO, "reader", "read");
  e2e.sim.script.setPermission(REPO, "triager", "triage");
  e2e.sim.script.addBot("helper-bot[bot]");
}, 120_000);
afterAll(async () => {
  await e2e?.stop();
  await harness.cleanup();
});

const runsOn = (issue: number) =>
  harness.db.prisma.run.count({ where: { repository: REPO, issueNumber: issue } });

/** The outbox rows a delivery wrote (its replies and reactions), once each is delivered to GitHub. */
async function effectsOf(deliveryId: string) {
  const where = { key: { startsWith: `${deliveryId}:` } };
  await expect
    .poll(() => harness.db.prisma.outboxEffect.count({ where: { ...where, state: "pending" } }), {
      timeout: 90_000,
    })
    .toBe(0);
  return harness.db.prisma.outboxEffect.findMany({ where });
}

async function comment(issue: number, body: string, sender: string) {
  const { sim } = e2e;
  const payload = await sim.payloads.issueCommentCreated({ repo: REPO, issue, body, sender });
  const delivery = await sim.webhooks.deliver("issue_comment", payload);
  expect(delivery.status).toBe(200);
  return delivery.guid;
}

describe("starting a run takes write access", () => {
  it("starts no run for /devflow run from read, triage, a non-collaborator or a bot; tells each person once and audits each as refused", async () => {
    const { sim } = e2e;
    const issue = sim.state.createIssue(REPO, { title: "Run me", user: "outsider" });
    const app = sim.state.appBot().login;
    const senders = ["reader", "triager", "outsider", "helper-bot[bot]", app];
    const deliveries = new Map<string, string>();
    for (const sender of senders) {
      // Twice in one comment, and with a template: still one refusal, one reply.
      deliveries.set(sender, await comment(issue.number, "/devflow run\n/devflow run development", sender));
    }

    expect(await runsOn(issue.number)).toBe(0);
    const audited = await harness.db.prisma.auditEntry.findMany({
      where: { repository: REPO, action: "trigger.command", actor: { in: senders } },
    });
    expect(audited.every((entry) => entry.outcome === "refused")).toBe(true);
    expect([...new Set(audited.map((entry) => entry.actor))].sort()).toEqual([...senders].sort());
    for (const [sender, deliveryId] of deliveries) {
      const effects = await effectsOf(deliveryId);
      // A person is told once; a bot is never answered (two bots must not talk forever).
      expect(effects.map((effect) => effect.kind)).toEqual(sender.endsWith("[bot]") ? [] : ["comment.reply"]);
    }
    const replies = sim.state
      .commentsOn(issue)
      .filter((c) => c.user === app && c.body.includes("was not applied"));
    expect(replies.map((c) => /^@(\S+)/.exec(c.body)?.[1]).sort()).toEqual(["outsider", "reader", "triager"]);
    for (const reply of replies) {
      expect(reply.body).toContain("`/devflow run` was not applied");
      expect(reply.body).toContain("write access or higher");
    }
  }, 180_000);

  it("starts no run for the label added by a triager or through the API by a bot, and audits both", async () => {
    const { sim } = e2e;
    const issue = sim.state.createIssue(REPO, { title: "Label me", user: "writer" });
    const labeled = async (sender: string) => {
      const payload = await sim.payloads.issueLabeled({
        repo: REPO,
        issue: issue.number,
        label: "devflow",
        sender,
      });
      const delivery = await sim.webhooks.deliver("issues", payload);
      expect(delivery.status).toBe(200);
      return delivery.guid;
    };
    const byTriager = await labeled("triager");
    const byBot = await labeled("helper-bot[bot]");

    expect(await runsOn(issue.number)).toBe(0);
    const audited = await harness.db.prisma.auditEntry.findMany({
      where: {
        repository: REPO,
        action: "trigger.label",
        details: { path: ["issue"], equals: issue.number },
      },
    });
    expect(audited.map((entry) => [entry.actor, entry.outcome]).sort()).toEqual([
      ["helper-bot[bot]", "refused"],
      ["triager", "refused"],
    ]);
    expect((await effectsOf(byTriager)).map((effect) => effect.kind)).toEqual(["comment.reply"]);
    expect(await effectsOf(byBot)).toEqual([]);
    const reply = sim.state.commentsOn(issue).find((c) => c.body.startsWith("@triager"));
    expect(reply?.body).toContain("devflow did not start a run for the `devflow` label");
  }, 180_000);

  it("starts a run for /devflow run from a writer", async () => {
    const issue = e2e.sim.state.createIssue(REPO, { title: "A writer asks", user: "writer" });
    await comment(issue.number, "/devflow run", "writer");
    expect(await runsOn(issue.number)).toBe(1);
    const accepted = await harness.db.prisma.auditEntry.findFirstOrThrow({
      where: { repository: REPO, action: "trigger.command", actor: "writer" },
    });
    expect(accepted.outcome).toBe("accepted");
  }, 60_000);

  it("does not refuse a writer because GitHub failed the permission lookup: the delivery is tried again", async () => {
    const { sim } = e2e;
    const issue = sim.state.createIssue(REPO, { title: "GitHub hiccups", user: "writer" });
    sim.script.failNext("GET", "/repos/{owner}/{repo}/collaborators/{username}/permission", { status: 502 });
    const guid = await comment(issue.number, "/devflow run", "writer");
    expect(await runsOn(issue.number)).toBe(1);
    const delivery = await harness.db.prisma.webhookDelivery.findUniqueOrThrow({
      where: { deliveryId: guid },
    });
    expect(delivery.attempts).toBe(1);
    expect(delivery.lastError).toContain("GitHub did not answer the permission check for @writer (HTTP 502)");
    // Nobody was told "no".
    expect((await effectsOf(guid)).map((effect) => effect.kind)).not.toContain("comment.reply");
  }, 60_000);
});

describe("stopping a run takes write access too", () => {
  it("lets the run go on when its issue's author, with read access, closes the issue; audits and says so", async () => {
    const { sim } = e2e;
    const issue = sim.state.createIssue(REPO, { title: "Closed by its author", user: "outsider" });
    await sim.webhooks.deliver(
      "issues",
      await sim.payloads.issueLabeled({
        repo: REPO,
        issue: issue.number,
        label: "devflow",
        sender: "writer",
      }),
    );
    const run = await harness.db.prisma.run.findFirstOrThrow({
      where: { repository: REPO, issueNumber: issue.number },
    });
    const closed = await sim.webhooks.deliver(
      "issues",
      await sim.payloads.issuesClosed({ repo: REPO, issue: issue.number, sender: "outsider" }),
    );
    expect(closed.status).toBe(200);
    const refused = await harness.db.prisma.auditEntry.findFirstOrThrow({
      where: { runId: run.id, action: "abort.issue_closed" },
    });
    expect([refused.actor, refused.outcome]).toEqual(["outsider", "refused"]);
    expect(await harness.db.prisma.runEvent.count({ where: { runId: run.id, type: "run.aborted" } })).toBe(0);
    const [reply] = await effectsOf(closed.guid);
    expect((reply?.payload as { body?: string } | undefined)?.body).toContain(
      `@outsider the issue was closed, but devflow run \`${run.id}\` goes on`,
    );
    // A writer still stops it.
    await comment(issue.number, "/abort", "writer");
    await waitForRunState(harness.db, run.id, "aborted", 60_000);
  }, 120_000);
});

describe("one comment, many commands", () => {
  const flood = (word: string) => Array.from({ length: 300 }, () => `/${word}`).join("\n");

  it("answers 300 unknown commands from a writer with one reply that says only 10 were read", async () => {
    const issue = e2e.sim.state.createIssue(REPO, { title: "Flooded", user: "writer" });
    const deliveryId = await comment(issue.number, flood("x"), "writer");
    const effects = await effectsOf(deliveryId);
    expect(effects.map((effect) => effect.kind)).toEqual(["comment.reply"]);
    const body = (effects[0]?.payload as { body?: string } | undefined)?.body;
    expect(body).toContain("devflow does not know `/x`");
    expect(body).toContain("Only the first 10 commands of a comment are read; the other 290 were ignored.");
    const audited = await harness.db.prisma.auditEntry.count({
      where: { details: { path: ["deliveryId"], equals: deliveryId } },
    });
    expect(audited).toBe(11); // ten commands and the over-limit note
  }, 120_000);

  it("answers 300 /approve from a non-collaborator with one reply", async () => {
    const issue = e2e.sim.state.createIssue(REPO, { title: "Flooded by a stranger", user: "writer" });
    const deliveryId = await comment(issue.number, flood("approve"), "stranger");
    const effects = await effectsOf(deliveryId);
    expect(effects.map((effect) => effect.kind)).toEqual(["comment.reply"]);
    expect((effects[0]?.payload as { body?: string } | undefined)?.body).toContain(
      "@stranger `/approve` was not applied",
    );
  }, 120_000);
});

describe("a captured signed delivery, posted again", () => {
  it("starts nothing under a new X-GitHub-Delivery, even after the first run ended, and is audited", async () => {
    const { sim } = e2e;
    const issue = sim.state.createIssue(REPO, { title: "Replay me", user: "writer" });
    const first = await sim.webhooks.deliver(
      "issues",
      await sim.payloads.issueLabeled({
        repo: REPO,
        issue: issue.number,
        label: "devflow",
        sender: "writer",
      }),
    );
    expect(await runsOn(issue.number)).toBe(1);
    const run = await harness.db.prisma.run.findFirstOrThrow({
      where: { repository: REPO, issueNumber: issue.number },
    });
    // The run ends, so "one active run per issue" would not stop a second one.
    await comment(issue.number, "/abort", "writer");
    await waitForRunState(harness.db, run.id, "aborted", 60_000);

    // What an eavesdropper kept: the exact bytes and headers GitHub sent, signature included.
    const captured = sim.state.deliveries.find((d) => d.guid === first.guid);
    if (!captured) throw new Error("the simulator did not record the first delivery");
    const replayId = randomUUID();
    const replay = await fetch(e2e.webhookUrl, {
      method: "POST",
      headers: { ...captured.requestHeaders, "x-github-delivery": replayId },
      body: captured.payload,
    });
    expect(replay.status).toBe(200);

    expect(await runsOn(issue.number)).toBe(1);
    const recorded = await harness.db.prisma.webhookDelivery.findUniqueOrThrow({
      where: { deliveryId: replayId },
    });
    expect(recorded.outcome).toBe(`ignored: replay of delivery ${first.guid}`);
    const audited = await harness.db.prisma.auditEntry.findFirstOrThrow({
      where: { action: "webhook.replayed", details: { path: ["deliveryId"], equals: replayId } },
    });
    expect([audited.actor, audited.outcome]).toEqual(["writer", "refused"]);
  }, 120_000);
});
