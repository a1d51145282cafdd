// `devflow run` as a user runs it: a local git repository through the development template with a
// command agent, the gate answered by a second `devflow approve` process; Ctrl-C mid-phase and
// `--resume`; and the machine-readable shapes of run, status and logs.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { userInfo } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/database.js";
import { argvOf, type CliFixture, createCliFixture, jsonLines, waitFor } from "./cli-fixture.js";

let db: TestDatabase;
let fixture: CliFixture;
let completedRunId: string;

beforeAll(async () => {
  db = await createTestDatabase();
  fixture = createCliFixture(db.url);
});
afterAll(async () => {
  await db.drop();
  fixture.cleanup();
});

const git = (...args: string[]) => execFileSync("git", ["-C", fixture.repo, ...args], { encoding: "utf8" });

describe("devflow run", () => {
  it("takes a local repository through the development template, the gate decided by devflow approve", async () => {
    const run = fixture.devflow([
      "run",
      "--repo",
      fixture.repo,
      "--requirements",
      fixture.requirements,
      "--json",
    ]);
    const gate = await waitFor(
      "the gate line",
      () => jsonLines(run.stdout()).find((line) => line.kind === "gate"),
      run,
    );
    expect(gate.gate).toBe("spec_approved");
    const runId = gate.runId as string;
    const commands = gate.commands as { approve: string };
    expect(commands.approve).toBe(`devflow approve ${runId} --gate spec_approved`);

    const approve = fixture.devflow(argvOf(commands.approve));
    expect(await approve.exited).toBe(0);
    expect(approve.output()).toContain(`Approved gate spec_approved of run ${runId}`);

    expect(await run.exited).toBe(0);
    const lines = jsonLines(run.stdout());
    const result = lines.at(-1) as { kind: string; run: Record<string, unknown> };
    expect(result.kind).toBe("result");
    expect(result.run).toMatchObject({ id: runId, state: "completed", template: "development@2" });
    const events = lines.filter((line) => line.kind === "event").map((line) => line.type);
    expect(events).toEqual(expect.arrayContaining(["run.created", "approval.decided", "run.completed"]));
    expect(events.indexOf("approval.requested")).toBeLessThan(events.indexOf("approval.decided"));

    const stored = await db.prisma.run.findUniqueOrThrow({ where: { id: runId } });
    expect(stored.state).toBe("completed");
    const decision = await db.prisma.approvalDecision.findFirstOrThrow({
      where: { approvalRequest: { runId } },
    });
    expect(decision).toMatchObject({ action: "approve", source: "cli", actor: userInfo().username });
    // The implementation is committed on the run's branch, pushed back into the repository.
    expect(git("show", `${stored.branch}:GREETING.md`)).toBe("# Hello\n");
    expect(existsSync(stored.reportPath ?? "")).toBe(true);
    completedRunId = runId;
  });

  it("stops on Ctrl-C mid-phase, leaving the run resumable, and --resume finishes it from its checkpoint", async () => {
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

    // While it runs, nobody else may run it.
    const second = fixture.devflow(["run", "--resume", runId]);
    expect(await second.exited).toBe(2);
    expect(second.output()).toContain(`Run ${runId} is being run by another devflow process.`);
    expect(second.output()).toContain("(run_busy)");

    run.child.kill("SIGINT");
    expect(await run.exited).toBe(130);
    expect(run.output()).toContain(`devflow run --resume ${runId}`);
    const interrupted = await db.prisma.run.findUniqueOrThrow({ where: { id: runId } });
    expect(interrupted.state).toBe("executing");
    expect(interrupted.currentPhaseKey).toBe("implement");

    writeFileSync(fixture.release, "");
    const resumed = fixture.devflow(["run", "--resume", runId.slice(0, 8)]);
    const follow = fixture.devflow(["logs", runId, "--follow", "--json"]);
    expect(await resumed.exited).toBe(0);
    // logs --follow saw the run to its end, then stopped by itself.
    expect(await follow.exited).toBe(0);
    expect(jsonLines(follow.stdout()).map((line) => line.type)).toEqual(
      expect.arrayContaining(["run.completed", "report.written"]),
    );
    expect(resumed.output()).toContain(`Resuming run ${runId} with agent holding`);
    expect(resumed.output()).toContain(`Run ${runId} completed.`);

    const phases = await db.prisma.phaseAttempt.findMany({ where: { runId }, orderBy: { startedAt: "asc" } });
    // The spec, approved before the interruption, is not written again: the run went on from its checkpoint.
    expect(phases.filter((phase) => phase.phaseKey === "spec").map((phase) => phase.state)).toEqual([
      "succeeded",
    ]);
    expect(phases.filter((phase) => phase.phaseKey === "implement").at(-1)?.state).toBe("succeeded");
    expect(phases.filter((phase) => phase.phaseKey === "review").map((phase) => phase.state)).toEqual([
      "succeeded",
    ]);
  });
});

describe("devflow status and logs --json", () => {
  it("describe a run and the list of runs", async () => {
    const one = fixture.devflow(["status", completedRunId, "--json"]);
    expect(await one.exited).toBe(0);
    const { run } = JSON.parse(one.stdout()) as { run: Record<string, unknown> };
    expect(run).toMatchObject({
      id: completedRunId,
      state: "completed",
      template: "development@2",
      repository: fixture.repo,
      baseBranch: "main",
      pendingApproval: null,
      failure: null,
    });
    expect(run.phases).toEqual([
      expect.objectContaining({ phase: "spec", attempt: 1, state: "succeeded" }),
      expect.objectContaining({ phase: "implement", attempt: 1, state: "succeeded" }),
      expect.objectContaining({ phase: "review", attempt: 1, state: "succeeded" }),
    ]);
    expect(run.decisions).toEqual([
      expect.objectContaining({ gate: "spec_approved", action: "approve", source: "cli" }),
    ]);
    expect(readFileSync(run.reportPath as string, "utf8")).toContain("Add a greeting");

    const all = fixture.devflow(["status", "--json"]);
    expect(await all.exited).toBe(0);
    const { runs } = JSON.parse(all.stdout()) as { runs: { id: string; state: string }[] };
    expect(runs.map((entry) => entry.id)).toContain(completedRunId);
  });

  it("logs prints the run's events in order and its last agent's transcript", async () => {
    const logs = fixture.devflow(["logs", completedRunId, "--json"]);
    expect(await logs.exited).toBe(0);
    const lines = jsonLines(logs.stdout());
    const events = lines.filter((line) => line.kind === "event");
    expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1));
    expect(events.map((event) => event.type)).toEqual(
      expect.arrayContaining([
        "run.created",
        "phase.started",
        "approval.decided",
        "run.completed",
        "report.written",
      ]),
    );
    const transcript = lines.find((line) => line.kind === "transcript");
    expect(transcript).toMatchObject({ role: "reviewer" });
    expect(transcript?.lines).toContain("cli-agent: artifact written");
  });
});
