// A hostile `command` agent, run through the real engine without a sandbox, plants things during its
// phase for devflow's own git to run (test/fixtures/git-tamper-agent.mjs). Whatever it plants, the
// planted command never runs; a run whose repository was tampered with fails at once, with a reason a
// person can read; hooks alone are simply never run.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ExecSessionAdapter } from "../../src/sessions/exec-adapter.js";
import { createEngineHarness, type EngineHarness, waitForRunState } from "../support/engine-harness.js";

const AGENT = fileURLToPath(new URL("../fixtures/git-tamper-agent.mjs", import.meta.url));
/**
 * `sandbox: none`, the operator's explicit opt-out: the agent runs as devflow's own user and can write the
 * mirror. (A variable, not a literal, so this reads the same before and after the sandbox option exists.)
 */
const UNSANDBOXED = {
  command: [process.execPath, AGENT],
  promptVia: "stdin" as const,
  passThrough: [],
  sandbox: { kind: "none" as const },
};
let harness: EngineHarness;
beforeAll(async () => {
  harness = await createEngineHarness();
});
afterAll(() => harness.cleanup());
// Stopped even when a test fails: a worker left running would take the next test's run.
const workers: { stop(): Promise<void> }[] = [];
afterEach(async () => {
  for (const worker of workers.splice(0)) await worker.stop();
});

async function runHostileAgent(scenario: string) {
  const dataDir = harness.tempDir("data");
  const worker = await harness.worker({
    queue: { backend: "postgres", connectionString: harness.db.url },
    adapter: new ExecSessionAdapter(UNSANDBOXED),
    dataDir,
  });
  workers.push(worker);
  const { runId } = await worker.engine.startRun({
    repository: harness.gitRemote(),
    baseBranch: "main",
    requirements: "Add a flag",
    scenarios: { spec: scenario },
  });
  const run = await waitForRunState(harness.db, runId, ["failed", "awaiting_approval"], 60_000);
  const runDir = join(dataDir, "workspaces", runId);
  return { run, runDir, planted: JSON.parse(readFileSync(join(runDir, "planted.json"), "utf8")) };
}

async function reportOf(runId: string): Promise<string> {
  for (;;) {
    const run = await harness.db.prisma.run.findUniqueOrThrow({ where: { id: runId } });
    if (run.reportPath && run.reportWrittenAt) return readFileSync(run.reportPath, "utf8");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("a hostile command agent and devflow's git", () => {
  it("fails the run when the agent wrote git config from its worktree; the planted command never runs", async () => {
    const { run, runDir, planted } = await runHostileAgent("git-config");
    expect(planted).toEqual(["core.fsmonitor", "filter.helpful.clean", "url.pushInsteadOf"]);
    expect(run.state).toBe("failed");
    expect(run.failureCode).toBe("git_config_tampered");
    expect(run.failureReason).toContain("`core.fsmonitor`");
    expect(run.failureReason).toContain("most likely the run's agent");
    expect(run.failureReason).not.toContain("PLANTED-COMMAND-RAN"); // the key, never its value
    const [attempt] = await harness.db.prisma.phaseAttempt.findMany({ where: { runId: run.id } });
    expect([attempt?.state, attempt?.failureCode]).toEqual(["failed", "git_config_tampered"]);
    expect(await reportOf(run.id)).toContain("`core.fsmonitor`");
    expect(existsSync(join(runDir, "PLANTED-COMMAND-RAN"))).toBe(false);
  });

  it("fails the run when the agent rewrote its .git file with plain writes; the planted command never runs", async () => {
    const { run, runDir, planted } = await runHostileAgent("files-only");
    expect(planted).toEqual(["hooks", ".git"]);
    expect([run.state, run.failureCode]).toEqual(["failed", "git_config_tampered"]);
    expect(run.failureReason).toContain("no longer points to devflow's record");
    expect(existsSync(join(runDir, "PLANTED-COMMAND-RAN"))).toBe(false);
  });

  it("goes on when the agent only planted hooks in the mirror: they never run", async () => {
    const { run, runDir, planted } = await runHostileAgent("hooks-only");
    expect(planted).toEqual(["hooks"]);
    expect(run.state).toBe("awaiting_approval");
    const events = await harness.db.prisma.runEvent.findMany({
      where: { runId: run.id, type: "checkpoint.pushed" },
    });
    expect(events).toHaveLength(1); // committed and pushed, with the hooks in place
    expect(existsSync(join(runDir, "PLANTED-COMMAND-RAN"))).toBe(false);
  });
});
