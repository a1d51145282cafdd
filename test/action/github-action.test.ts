// devflow's GitHub Action as a runner runs it: the committed bundle (`node action/dist/index.js`) in a
// child process per event, with the event payload in a file, GITHUB_* variables and INPUT_* inputs,
// against the GitHub simulator (REST and git over HTTP) with a workflow-style token, and a database the
// action migrates itself. Label → the run waits at spec_approved; /approve → completed, with the final
// report in the check run; the same event twice advances once; no database-url → a clear failure.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEmptyDatabase } from "../support/database.js";
import { type ActionFixture, createActionFixture, explain, REPO } from "./action-fixture.js";

let fx: ActionFixture;
let sim: ActionFixture["sim"];
let client: ActionFixture["client"];

beforeAll(async () => {
  fx = await createActionFixture();
  ({ sim, client } = fx);
}, 60_000);

afterAll(async () => {
  await fx?.cleanup();
});

const job = (...args: Parameters<ActionFixture["job"]>) => fx.job(...args);
const noSecretsIn = (result: Parameters<ActionFixture["expectNoSecrets"]>[0]) => fx.expectNoSecrets(result);

describe("devflow as a GitHub Action", () => {
  it("takes a labeled issue to its spec gate in one job, through one phase per job after /approve, and to a report in the Checks tab", async () => {
    const issue = sim.state.createIssue(REPO, {
      title: "Add a --verbose flag",
      body: "Print each step.",
      user: "maintainer",
    });
    const labeled = await job("issues", await fx.labeledEvent(issue.number));
    expect(labeled.code, explain(labeled)).toBe(0);
    noSecretsIn(labeled);

    // The run waits at its gate, holding nothing.
    const run = await client.prisma.run.findFirstOrThrow({
      where: { repository: REPO, issueNumber: issue.number },
    });
    expect(run.state).toBe("awaiting_approval");
    const gate = await client.prisma.approvalRequest.findFirstOrThrow({ where: { runId: run.id } });
    expect([gate.gateKey, gate.state]).toEqual(["spec_approved", "pending"]);
    // GitHub shows it before the job ends: the check run, the sticky comment, a reaction. No buttons:
    // GitHub would start no workflow for a press on a check run made with the workflow token.
    const open = [...sim.state.checkRuns.values()].find((c) => c.externalId === run.id);
    expect(open?.status).toBe("in_progress");
    expect(open?.actions).toEqual([]);
    const sticky = sim.state.commentsOn(issue).filter((c) => c.body.includes(`devflow:run:${run.id}`));
    expect(sticky).toHaveLength(1);
    expect(sticky[0]?.user).toBe("github-actions[bot]");
    expect(sticky[0]?.body).toContain("spec_approved");
    expect(labeled.summary).toContain(run.id);
    expect(labeled.summary).toContain("`spec_approved`");

    const approve = await sim.payloads.issueCommentCreated({
      repo: REPO,
      issue: issue.number,
      body: "Looks right.\n/approve",
      sender: "maintainer",
    });
    const approved = await job("issue_comment", approve);
    expect(approved.code, explain(approved)).toBe(0);
    noSecretsIn(approved);
    // That job ran one phase (implement); each next job runs the next one.
    const implemented = await client.prisma.run.findUniqueOrThrow({ where: { id: run.id } });
    expect([implemented.state, implemented.currentPhaseKey]).toEqual(["executing", "review"]);
    const continued = await job("workflow_dispatch", { ref: "refs/heads/main", inputs: {} });
    expect(continued.code, explain(continued)).toBe(0);

    const done = await client.prisma.run.findUniqueOrThrow({ where: { id: run.id } });
    expect(done.state).toBe("completed");
    const check = [...sim.state.checkRuns.values()].find(
      (c) => c.externalId === run.id && c.conclusion === "success",
    );
    expect(check?.headSha).toBe(done.headSha);
    expect(check?.output.summary).toContain(`# devflow run ${run.id}: ✅ completed`);
    const pulls = sim.state.pulls(REPO);
    expect(pulls).toHaveLength(1);
    expect(pulls[0]?.body).toContain(`Closes #${issue.number}`);
    // The run branch was pushed to the repository over git with the workflow token.
    expect(
      sim.state.pushes.some((push) => push.updates.some((u) => u.ref === `refs/heads/${done.branch}`)),
    ).toBe(true);
    const decision = await client.prisma.approvalDecision.findFirstOrThrow({
      where: { approvalRequest: { runId: run.id } },
    });
    expect([decision.actor, decision.source, decision.action]).toEqual(["maintainer", "comment", "approve"]);
    expect(continued.summary).toContain("completed");

    // The same event again (a re-run of the job, or a second workflow on it): acknowledged, nothing moves.
    const events = await client.prisma.runEvent.count({ where: { runId: run.id } });
    const comments = sim.state.commentsOn(issue).length;
    const again = await job("issue_comment", approve);
    expect(again.code, explain(again)).toBe(0);
    expect(again.summary).toContain("already handled");
    expect(await client.prisma.runEvent.count({ where: { runId: run.id } })).toBe(events);
    expect(
      await client.prisma.approvalDecision.count({ where: { approvalRequest: { runId: run.id } } }),
    ).toBe(1);
    expect(sim.state.commentsOn(issue)).toHaveLength(comments);
  }, 240_000);

  it("refuses /approve from someone without write access, says so on the issue, decides nothing, and leaves other repositories' updates alone", async () => {
    const issue = sim.state.createIssue(REPO, { title: "Tidy the README", user: "maintainer" });
    const labeled = await job("issues", await fx.labeledEvent(issue.number));
    expect(labeled.code, explain(labeled)).toBe(0);
    const run = await client.prisma.run.findFirstOrThrow({
      where: { repository: REPO, issueNumber: issue.number },
    });
    // The database may serve other repositories: their updates are not this workflow token's to deliver.
    const elsewhere = await client.prisma.outboxEffect.create({
      data: {
        key: "another-repository-reply",
        kind: "comment.reply",
        installationId: 0n,
        payload: {
          kind: "comment.reply",
          issueNumber: 1,
          body: "not for octo/widgets",
          repository: "octo/gears",
        },
      },
    });
    const refused = await job(
      "issue_comment",
      await sim.payloads.issueCommentCreated({
        repo: REPO,
        issue: issue.number,
        body: "/approve",
        sender: "reader",
      }),
    );
    expect(refused.code, explain(refused)).toBe(0);
    expect((await client.prisma.run.findUniqueOrThrow({ where: { id: run.id } })).state).toBe(
      "awaiting_approval",
    );
    expect(
      await client.prisma.approvalDecision.count({ where: { approvalRequest: { runId: run.id } } }),
    ).toBe(0);
    const reply = sim.state.commentsOn(issue).find((c) => c.body.includes("`/approve` was not applied"));
    expect(reply?.body).toContain("@reader");
    const untouched = await client.prisma.outboxEffect.findUniqueOrThrow({ where: { id: elsewhere.id } });
    expect([untouched.state, untouched.attempts]).toEqual(["pending", 0]);
  }, 240_000);

  it("fails the job with how to add the database secret when database-url is missing, and touches nothing", async () => {
    const issue = sim.state.createIssue(REPO, { title: "Never started", user: "maintainer" });
    const payload = await fx.labeledEvent(issue.number);
    const failed = await job("issues", payload, { "github-token": fx.token, "database-url": "" });
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(
      /^::error title=devflow%3A action_input_missing::The database-url input is empty/m,
    );
    expect(failed.stderr).toContain("New repository secret");
    expect(failed.stderr).toContain("secrets.DEVFLOW_DATABASE_URL");
    expect(failed.summary).toContain("devflow failed (`action_input_missing`)");
    noSecretsIn(failed);
    expect(sim.state.commentsOn(issue)).toHaveLength(0);
  }, 60_000);

  it("fails the job saying what to check when the database cannot be reached, never quoting the secret", async () => {
    const issue = sim.state.createIssue(REPO, { title: "Nowhere to record", user: "maintainer" });
    const payload = await fx.labeledEvent(issue.number);
    const secretUrl = "postgres://devflow:s3cret-pw@127.0.0.1:1/devflow";
    const failed = await job("issues", payload, { "database-url": secretUrl, "github-token": fx.token });
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(/^::error title=devflow%3A database_unreachable::/m);
    expect(failed.stderr).toContain("Check the database-url secret");
    for (const text of [failed.stdout, failed.stderr, failed.summary])
      expect(text).not.toContain("s3cret-pw");
    expect(sim.state.commentsOn(issue)).toHaveLength(0);
  }, 60_000);

  it("fails the job naming the agent input and the agents the config defines when they do not match", async () => {
    const issue = sim.state.createIssue(REPO, { title: "Wrong agent", user: "maintainer" });
    const payload = await fx.labeledEvent(issue.number);
    const untouched = await createEmptyDatabase();
    const failed = await job("issues", payload, {
      "database-url": untouched.url,
      "github-token": fx.token,
      agent: "claude",
    });
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(
      /^::error title=devflow%3A action_input_invalid::The agent input names "claude"/m,
    );
    expect(failed.stderr).toContain("defined: fake");
    // Checked before anything is done: the database was not even migrated.
    const tables = new pg.Client({ connectionString: untouched.url });
    await tables.connect();
    const { rows } = await tables.query("SELECT to_regclass('public._prisma_migrations') AS t");
    await tables.end();
    await untouched.drop();
    expect(rows[0]?.t).toBe(null);
    expect(sim.state.commentsOn(issue)).toHaveLength(0);
  }, 60_000);
});
