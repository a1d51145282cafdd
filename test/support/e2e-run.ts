// One standard run through the GitHub App as a maintainer drives it: label the issue, wait for the spec
// gate, `/approve`, wait for the run to complete. Failures carry the worker's last log lines.
import { expect } from "vitest";
import type { IssueRecord } from "../github-sim/index.js";
import { type EngineHarness, waitForRunState } from "./engine-harness.js";
import type { GitHubE2E } from "./github-e2e.js";

export async function runThroughSpecGate(
  e2e: GitHubE2E,
  harness: EngineHarness,
  options: { repo: string; title: string; body: string; maintainer: string; timeoutMs: number },
) {
  const { sim } = e2e;
  const { repo, maintainer } = options;
  const issue = sim.state.createIssue(repo, { title: options.title, body: options.body, user: maintainer });
  const labeled = await sim.payloads.issueLabeled({
    repo,
    issue: issue.number,
    label: "devflow",
    sender: maintainer,
  });
  expect((await sim.webhooks.deliver("issues", labeled)).status).toBe(200);
  await expect
    .poll(() => harness.db.prisma.run.count({ where: { repository: repo } }), { timeout: 20_000 })
    .toBe(1);
  const run = await harness.db.prisma.run.findFirstOrThrow({ where: { repository: repo } });
  const withLogs = (error: Error) => {
    throw new Error(`${error.message}\nWORKER:\n${e2e.worker.output().slice(-4000)}`);
  };
  await waitForRunState(harness.db, run.id, "awaiting_approval", options.timeoutMs).catch(withLogs);
  const approve = await sim.payloads.issueCommentCreated({
    repo,
    issue: issue.number,
    body: "/approve",
    sender: maintainer,
  });
  expect((await sim.webhooks.deliver("issue_comment", approve)).status).toBe(200);
  await waitForRunState(harness.db, run.id, "completed", options.timeoutMs).catch(withLogs);
  return { issue: issue as IssueRecord, run };
}
