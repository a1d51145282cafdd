// Issue 14's revisions, as people on GitHub use them (web and worker as separate processes, GitHub the
// simulator): after a completed run, a human pushes a commit to the run's branch; a reader's
// `/devflow revise` changes nothing and is told why; a writer's "changes requested" review with two
// inline comments starts revision 2 from the branch's head (the human's commit), whose implement prompt
// holds both comments fenced with their file and line; its commit lands on the same branch and pull
// request, and the check run of the new head says revision 2 and ends in success. The same review
// delivered again starts nothing more; a revise on a merged pull request is refused with a reply.
import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runThroughSpecGate } from "../support/e2e-run.js";
import { createEngineHarness, type EngineHarness, waitForRunState } from "../support/engine-harness.js";
import { type GitHubE2E, startGitHubE2E } from "../support/github-e2e.js";
import { fencedBlocks } from "../support/prompt-blocks.js";

const REPO = "octo/revisions";
// An agent that writes what it was prompted with into the worktree (dump-agent-<phase>-<n>.json), so the
// prompt lands in the run's commits.
const AGENT = fileURLToPath(new URL("../fixtures/dump-agent.mjs", import.meta.url));
let harness: EngineHarness;
let e2e: GitHubE2E;

beforeAll(async () => {
  harness = await createEngineHarness();
  e2e = await startGitHubE2E({
    databaseUrl: harness.db.url,
    dataDir: harness.tempDir("e2e"),
    agentsYaml: `agents:\n  dumper: { preset: command, command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(AGENT)}], promptVia: stdin }\ndefaultAgent: dumper\nsandbox: { readOnlyPaths: [${JSON.stringify(dirname(AGENT))}] }\n`,
  });
  await e2e.sim.state.createRepository("octo", "revisions", {
    defaultBranch: "main",
    files: { "README.md": "# revisions\n" },
  });
  e2e.sim.script.setPermission(REPO, "maintainer", "write");
  e2e.sim.script.setPermission(REPO, "reader", "read");
}, 120_000);
afterAll(async () => {
  await e2e?.stop();
  await harness.cleanup();
});

const gitDir = () => e2e.sim.state.repo(REPO).gitDir;
const git = (...args: string[]) =>
  execFileSync("git", ["--git-dir", gitDir(), ...args], { encoding: "utf8" }).trim();

describe("revising a run's pull request on GitHub", () => {
  it("turns a writer's review into revision 2 on the same PR, from the human's commit, and refuses a reader", async () => {
    const { sim } = e2e;
    const { issue, run } = await runThroughSpecGate(e2e, harness, {
      repo: REPO,
      title: "Add a --verbose flag",
      body: "Print each step.",
      maintainer: "maintainer",
      timeoutMs: 120_000,
    });
    await expect
      .poll(
        async () =>
          (await harness.db.prisma.run.findUniqueOrThrow({ where: { id: run.id } })).pullRequestNumber,
        {
          timeout: 30_000,
        },
      )
      .not.toBeNull();
    const first = await harness.db.prisma.run.findUniqueOrThrow({ where: { id: run.id } });
    const pull = first.pullRequestNumber ?? 0;
    const branch = first.branch ?? "";
    const pullIssue = sim.state.issue(REPO, pull);
    const repliesTo = (login: string) =>
      sim.state.commentsOn(pullIssue).filter((c) => c.viaApp && c.body.startsWith(`@${login}`));

    // A person pushes to the run's branch after it ended.
    const humanSha = await sim.state.commitFiles(
      REPO,
      branch,
      { "HUMAN.md": "first\nsecond\n" },
      "A human's fix",
    );

    // A reader's revise changes nothing, and the reader is told why.
    const byReader = await sim.payloads.issueCommentCreated({
      repo: REPO,
      issue: pull,
      body: "/devflow revise make it red",
      sender: "reader",
    });
    expect((await sim.webhooks.deliver("issue_comment", byReader)).status).toBe(200);
    await expect.poll(() => repliesTo("reader").length, { timeout: 30_000 }).toBe(1);
    expect(repliesTo("reader")[0]?.body).toMatch(/`\/devflow revise` was not applied: .*read/);
    expect(await harness.db.prisma.revisionRequest.count()).toBe(0);
    expect(await harness.db.prisma.run.count({ where: { repository: REPO } })).toBe(1);

    // A writer requests changes with two inline comments on lines of the PR's diff.
    const review = await sim.payloads.pullRequestReviewSubmitted({
      repo: REPO,
      pull,
      state: "changes_requested",
      body: "Two things, please.",
      sender: "maintainer",
      comments: [
        { path: "HUMAN.md", line: 2, body: "Say SECOND-COMMENT here." },
        { path: "dump-agent-implement-0.json", line: 1, body: "FIRST-FILE-COMMENT: trim this dump." },
      ],
    });
    const deliveryId = randomUUID();
    expect((await sim.webhooks.deliver("pull_request_review", review, { deliveryId })).status).toBe(200);
    await expect.poll(() => harness.db.prisma.run.count({ where: { revisionOf: first.id } })).toBe(1);
    const second = await harness.db.prisma.run.findFirstOrThrow({ where: { revisionOf: first.id } });
    expect([second.revision, second.branch, second.pullRequestNumber]).toEqual([2, branch, pull]);

    // The same review again, as a replay under a new delivery id and as GitHub's redelivery after a
    // handler that failed part-way: nothing more starts.
    const replayId = randomUUID();
    await e2e.deliverStored("pull_request_review", review, { deliveryId: replayId });
    await expect
      .poll(() =>
        harness.db.prisma.auditEntry.count({
          where: { action: "webhook.replayed", details: { path: ["deliveryId"], equals: replayId } },
        }),
      )
      .toBe(1);
    await harness.db.prisma.webhookDelivery.delete({ where: { deliveryId } });
    await sim.webhooks.deliver("pull_request_review", review, { deliveryId });
    expect(
      await harness.db.prisma.auditEntry.count({
        where: { action: "command.revise", details: { path: ["deliveryId"], equals: deliveryId } },
      }),
    ).toBe(2); // the handler did run twice
    expect(await harness.db.prisma.revisionRequest.count()).toBe(1);

    const revised = await waitForRunState(harness.db, second.id, "completed", 120_000).catch((error) => {
      throw new Error(`${error.message}\nWORKER:\n${e2e.worker.output().slice(-4000)}`);
    });
    expect(await harness.db.prisma.run.count({ where: { repository: REPO } })).toBe(2);
    // It started at the human's commit, and its commits are on the PR's branch.
    const prepared = await harness.db.prisma.runEvent.findFirstOrThrow({
      where: { runId: second.id, type: "run.prepared" },
    });
    expect(prepared.payload).toMatchObject({ headSha: humanSha });
    const implement = await harness.db.prisma.phaseAttempt.findFirstOrThrow({
      where: { runId: second.id, phaseKey: "implement", state: "succeeded" },
    });
    expect(git("rev-parse", `${implement.checkpointSha}^`)).toBe(humanSha);
    await expect
      .poll(() => git("rev-parse", `refs/heads/${branch}`), { timeout: 30_000 })
      .toBe(revised.headSha);
    expect(git("show", `${revised.headSha}:HUMAN.md`)).toBe("first\nsecond");
    expect(sim.state.pulls(REPO)).toHaveLength(1);

    // Its implement prompt holds the review and both inline comments, fenced, with file and line.
    const seen = JSON.parse(git("show", `${revised.headSha}:dump-agent-implement-1.json`)) as {
      prompt: string;
    };
    const { blocks, outside } = fencedBlocks(seen.prompt);
    const block = (label: string) => blocks.find((b) => b.label.startsWith(label))?.text ?? "";
    expect(block("revision 2 request (a review that requests changes)")).toBe("Two things, please.");
    expect(block("inline review comment 1 of 2")).toMatch(
      /^File: HUMAN\.md\nLine: 2\nDiff hunk:\n@@ [\s\S]*\+second\nComment:\nSay SECOND-COMMENT here\.$/,
    );
    expect(block("inline review comment 2 of 2")).toMatch(
      /^File: dump-agent-implement-0\.json\nLine: 1\n[\s\S]*FIRST-FILE-COMMENT/,
    );
    for (const text of ["Two things, please.", "SECOND-COMMENT", "FIRST-FILE-COMMENT"]) {
      expect(outside).not.toContain(text);
    }

    // The check run of the new head says revision 2 and ends in success; the sticky comment shows both.
    await expect
      .poll(
        () =>
          [...sim.state.checkRuns.values()].find(
            (c) => c.externalId === second.id && c.headSha === revised.headSha && c.conclusion === "success",
          )?.output.title,
        { timeout: 30_000 },
      )
      .toMatch(/^Revision 2: /);
    const check = [...sim.state.checkRuns.values()].find(
      (c) => c.externalId === second.id && c.headSha === revised.headSha,
    );
    expect(check?.output.summary).toContain(`# devflow run ${second.id}, revision 2: ✅ completed`);
    await expect
      .poll(
        () =>
          sim.state
            .commentsOn(issue)
            .filter((c) => c.body.includes(`devflow:run:${first.id}`))
            .map((c) => c.body.includes("revision 2 (") && c.body.includes("✅ completed")),
        { timeout: 30_000 },
      )
      .toEqual([true]);

    // Once merged, the pull request is done: a revise is refused with a reply, and nothing starts.
    sim.state.markMerged(REPO, pull);
    const late = await sim.payloads.issueCommentCreated({
      repo: REPO,
      issue: pull,
      body: "/devflow revise one more thing",
      sender: "maintainer",
    });
    await sim.webhooks.deliver("issue_comment", late);
    await expect
      .poll(() => repliesTo("maintainer").map((c) => c.body), { timeout: 30_000 })
      .toContainEqual(expect.stringContaining(`Pull request #${pull} is merged`));
    expect(await harness.db.prisma.revisionRequest.count()).toBe(1);
    expect(await harness.db.prisma.run.count({ where: { repository: REPO } })).toBe(2);
  }, 300_000);
});
