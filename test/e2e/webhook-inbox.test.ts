// Issue 12, point 3, against web and worker processes and the simulator: the web process stores a
// verified delivery and answers before processing it; a web process killed (SIGKILL) between that
// answer and the end of processing loses nothing — after a restart the delivery is processed exactly
// once; a failed delivery is retried with backoff; `.github/devflow.yml` is read once per repository
// and read again after a push to the default branch.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEngineHarness, type EngineHarness } from "../support/engine-harness.js";
import { type GitHubE2E, processedDeliveries, startGitHubE2E } from "../support/github-e2e.js";

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

async function repository(name: string, files: Record<string, string> = { "README.md": "# r\n" }) {
  const repo = await e2e.sim.state.createRepository("inbox", name, { defaultBranch: "main", files });
  e2e.sim.script.setPermission(repo.fullName, "writer", "write");
  return repo.fullName;
}

const helpReplies = (issue: Parameters<GitHubE2E["sim"]["state"]["commentsOn"]>[0]) =>
  e2e.sim.state.commentsOn(issue).filter((c) => c.body.includes("devflow commands"));

describe("the webhook inbox", () => {
  it("processes a delivery acknowledged just before the web process was killed, once, after a restart", async () => {
    const { sim } = e2e;
    const repo = await repository("crash");
    const issue = sim.state.createIssue(repo, { title: "Crash", user: "writer" });
    // Processing stops at its first GitHub read (the sender's permission) and waits there.
    const held = sim.script.holdNext("GET", "/repos/{owner}/{repo}/collaborators/writer/permission");
    const payload = await sim.payloads.issueCommentCreated({
      repo,
      issue: issue.number,
      body: "/help",
      sender: "writer",
    });
    const sent = await e2e.deliverStored("issue_comment", payload);
    expect(sent.status).toBe(200); // acknowledged: stored, not yet processed
    await held.reached;
    const killed = e2e.web;
    killed.child.kill("SIGKILL");
    expect(await killed.exited).toBe("SIGKILL");
    held.release();

    const row = await harness.db.prisma.webhookDelivery.findUniqueOrThrow({
      where: { deliveryId: sent.guid },
    });
    expect(row.processedAt).toBeNull();
    expect(row.body).not.toBeNull();

    await e2e.restartWeb();
    expect(await processedDeliveries(harness.db.prisma, [sent.guid])).toEqual(["commands: help"]);
    await expect.poll(() => helpReplies(issue).length, { timeout: 30_000 }).toBe(1);
    // Exactly once: one audit row, one reply effect, and GitHub's redelivery changes nothing.
    const audits = await harness.db.prisma.auditEntry.count({
      where: { action: "command.help", repository: repo },
    });
    expect(audits).toBe(1);
    const again = await sim.webhooks.deliver("issue_comment", payload, { deliveryId: sent.guid });
    expect(again.status).toBe(200);
    await processedDeliveries(harness.db.prisma, [sent.guid]);
    expect(
      await harness.db.prisma.auditEntry.count({ where: { action: "command.help", repository: repo } }),
    ).toBe(1);
    expect(helpReplies(issue)).toHaveLength(1);
  }, 180_000);

  it("retries a delivery whose processing failed, with backoff, and records the failure", async () => {
    const { sim } = e2e;
    const repo = await repository("retry");
    const issue = sim.state.createIssue(repo, { title: "Retry", user: "writer" });
    // The config read fails once (403 is not retried by Octokit): the trigger's handler throws.
    sim.script.failNext("GET", "/repos/{owner}/{repo}/contents/*", { status: 403, message: "Forbidden" });
    const sent = await e2e.deliverStored(
      "issues",
      await sim.payloads.issueLabeled({ repo, issue: issue.number, label: "devflow", sender: "writer" }),
    );
    expect(sent.status).toBe(200);
    await processedDeliveries(harness.db.prisma, [sent.guid]);
    const row = await harness.db.prisma.webhookDelivery.findUniqueOrThrow({
      where: { deliveryId: sent.guid },
    });
    expect(row.attempts).toBe(1);
    expect(row.lastError).toContain("Forbidden");
    expect(row.outcome).not.toMatch(/^failed/);
    expect(row.processedAt?.getTime()).toBeGreaterThan(row.receivedAt.getTime());
    expect(
      await harness.db.prisma.run.count({ where: { repository: repo, issueNumber: issue.number } }),
    ).toBe(1);
  }, 120_000);
});

describe("the repository config cache", () => {
  const configReads = (repo: string) =>
    e2e.sim.requests.filter(
      (r) =>
        r.method === "GET" &&
        r.route === "/repos/{owner}/{repo}/contents/{path}" &&
        r.apiPath?.includes(repo),
    ).length;

  async function trigger(repo: string) {
    const issue = e2e.sim.state.createIssue(repo, { title: "Cached", user: "writer" });
    const sent = await e2e.sim.webhooks.deliver(
      "issues",
      await e2e.sim.payloads.issueLabeled({ repo, issue: issue.number, label: "go", sender: "writer" }),
    );
    const [outcome] = await processedDeliveries(harness.db.prisma, [sent.guid]);
    return outcome;
  }

  it("reads .github/devflow.yml once per repository, and again after a push to the default branch", async () => {
    const repo = await repository("cached", { ".github/devflow.yml": "label: go\n" });
    await trigger(repo);
    const afterFirst = configReads(repo);
    expect(afterFirst).toBeGreaterThan(0);
    await trigger(repo);
    expect(configReads(repo)).toBe(afterFirst); // the second trigger used the cache

    // A push elsewhere than the default branch changes nothing; one to it marks the entry stale.
    const elsewhere = await e2e.sim.payloads.pushed({
      repo,
      branch: "feature",
      files: { "notes.md": "x\n" },
      sender: "writer",
    });
    const side = await e2e.sim.webhooks.deliver("push", elsewhere);
    expect(await processedDeliveries(harness.db.prisma, [side.guid])).toEqual([
      "ignored: not the default branch",
    ]);
    const pushed = await e2e.sim.payloads.pushed({
      repo,
      files: { ".github/devflow.yml": "label: start-agent\n" },
      sender: "writer",
    });
    const push = await e2e.sim.webhooks.deliver("push", pushed);
    expect(await processedDeliveries(harness.db.prisma, [push.guid])).toEqual([
      "repository config marked stale",
    ]);
    // The old label no longer triggers: the new file was read.
    expect(await trigger(repo)).toMatch(/^ignored/);
    expect(configReads(repo)).toBeGreaterThan(afterFirst);
  }, 120_000);
});
