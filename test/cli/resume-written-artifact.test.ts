// `--resume` keeps paid work: the agent of an interrupted `devflow run` goes on after Ctrl-C and writes a
// valid artifact; resuming accepts that artifact as the attempt's result instead of marking the attempt
// `session_lost` and running the phase again.
import { existsSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isProcessAlive } from "../../src/server/processes.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";
import { argvOf, type CliFixture, createCliFixture, waitFor } from "./cli-fixture.js";

let db: TestDatabase;
let fixture: CliFixture;

beforeAll(async () => {
  db = await createTestDatabase();
  fixture = createCliFixture(db.url);
});
afterAll(async () => {
  await db.drop();
  fixture.cleanup();
});

describe("devflow run --resume", () => {
  it("accepts the artifact the interrupted attempt's agent wrote after Ctrl-C, without running the phase again", async () => {
    const run = fixture.devflow([
      "run",
      "--repo",
      fixture.repo,
      "--requirements",
      fixture.requirements,
      "--agent",
      "holding",
    ]);
    const approveCommand = await waitFor(
      "the approve command",
      () => /devflow approve (\S+) --gate spec_approved/.exec(run.output())?.[0],
      run,
    );
    const runId = approveCommand.split(" ")[2] as string;
    expect(await fixture.devflow(argvOf(approveCommand)).exited).toBe(0);
    await waitFor("the held implement phase", () => (existsSync(fixture.marker) ? true : undefined), run);
    const agentPid = Number(readFileSync(fixture.marker, "utf8"));

    run.child.kill("SIGINT");
    expect(await run.exited).toBe(130);
    // The agent works on after devflow stopped, writes its artifact and exits.
    writeFileSync(fixture.release, "");
    await waitFor("the agent's exit", () => (isProcessAlive(agentPid) ? undefined : true));

    const resumed = fixture.devflow(["run", "--resume", runId]);
    expect(await resumed.exited).toBe(0);
    expect(resumed.output()).toContain(`Run ${runId} completed.`);

    const implement = await db.prisma.phaseAttempt.findMany({
      where: { runId, phaseKey: "implement" },
      orderBy: { attempt: "asc" },
    });
    expect(implement.map((attempt) => [attempt.attempt, attempt.state, attempt.failureCode])).toEqual([
      [1, "succeeded", null],
    ]);
    expect(implement[0]?.artifact).toMatchObject({ summary: "Created GREETING.md." });
    const prompts = await db.prisma.promptDelivery.count({ where: { runId, phaseKey: "implement" } });
    expect(prompts).toBe(1); // the agent was not asked again
    const events = await db.prisma.runEvent.findMany({ where: { runId }, orderBy: { seq: "asc" } });
    expect(events.map((event) => event.type)).toContain("session.failed");
    expect(events.filter((event) => event.type === "phase.failed")).toEqual([]);
  });

  it("refuses an artifact the agent left as a link to a file outside its workspace, and runs the phase again", async () => {
    rmSync(fixture.marker, { force: true });
    rmSync(fixture.release, { force: true });
    const run = fixture.devflow([
      "run",
      "--repo",
      fixture.repo,
      "--requirements",
      fixture.requirements,
      "--agent",
      "holding",
    ]);
    const approveCommand = await waitFor(
      "the approve command",
      () => /devflow approve (\S+) --gate spec_approved/.exec(run.output())?.[0],
      run,
    );
    const runId = approveCommand.split(" ")[2] as string;
    expect(await fixture.devflow(argvOf(approveCommand)).exited).toBe(0);
    await waitFor("the held implement phase", () => (existsSync(fixture.marker) ? true : undefined), run);
    const agentPid = Number(readFileSync(fixture.marker, "utf8"));
    run.child.kill("SIGINT");
    expect(await run.exited).toBe(130);
    writeFileSync(fixture.release, "");
    await waitFor("the agent's exit", () => (isProcessAlive(agentPid) ? undefined : true));

    // The hostile agent swaps its artifact for a link to a file of its choosing outside the workspace
    // (a valid artifact here, so that only the link refusal can stop it).
    const outside = join(fixture.root, "outside.json");
    writeFileSync(
      outside,
      JSON.stringify({ summary: "Read from outside the workspace.", changes: [], testsRun: [], notes: "" }),
    );
    const artifact = join(fixture.dataDir, "workspaces", runId, "artifacts", "implement-1.json");
    expect(existsSync(artifact)).toBe(true);
    rmSync(artifact);
    symlinkSync(outside, artifact);

    const resumed = fixture.devflow(["run", "--resume", runId]);
    expect(await resumed.exited).toBe(0);
    const implement = await db.prisma.phaseAttempt.findMany({
      where: { runId, phaseKey: "implement" },
      orderBy: { attempt: "asc" },
    });
    expect(implement.map((attempt) => [attempt.attempt, attempt.state])).toEqual([
      [1, "failed"],
      [2, "succeeded"],
    ]);
    expect(implement[1]?.artifact).toMatchObject({ summary: "Created GREETING.md." });
    const accepted = await db.prisma.phaseAttempt.count({
      where: { runId, artifact: { path: ["summary"], equals: "Read from outside the workspace." } },
    });
    expect(accepted).toBe(0);
  });
});
