// The usage an agent's CLI reports reaches the run's final report: a sandboxed exec agent that prints a
// recorded Claude Code stream goes through spec → approve → implement → review with the real engine;
// each phase attempt's usage (read from the stream, stored per attempt) and the run's total are in
// the report, and the transcript holds readable lines, not the stream's JSON.
import { readFileSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { summarizeRun } from "../../src/cli/run-view.js";
import { usageOfRun } from "../../src/engine/record-usage.js";
import { getRunStatus } from "../../src/engine/run-status.js";
import { ExecSessionAdapter } from "../../src/sessions/exec-adapter.js";
import { createEngineHarness, type EngineHarness, waitForRunState } from "../support/engine-harness.js";

const AGENT = fileURLToPath(new URL("../fixtures/usage-agent.mjs", import.meta.url));
const RECORDED = fileURLToPath(new URL("../fixtures/agent-streams/claude-preset.jsonl", import.meta.url));
let harness: EngineHarness;

beforeAll(async () => {
  harness = await createEngineHarness();
});
afterAll(() => harness.cleanup());

describe("usage in the final report", () => {
  it("shows each phase's usage from the agent's stream and the run's total", async () => {
    const adapter = new ExecSessionAdapter({
      command: [process.execPath, AGENT, RECORDED],
      promptVia: "stdin",
      passThrough: [],
      stream: "claude",
      sandbox: { readOnlyPaths: [dirname(AGENT)] },
    });
    const worker = await harness.worker({
      queue: { backend: "postgres", connectionString: harness.db.url },
      adapter,
      defaultAgent: "mine",
    });
    try {
      const { runId } = await worker.engine.startRun({
        repository: harness.gitRemote(),
        baseBranch: "main",
        requirements: "Add a note",
      });
      await waitForRunState(harness.db, runId, "awaiting_approval", 90_000);
      await worker.engine.decide({
        runId,
        action: "approve",
        clientToken: "u-1",
        actor: "alice",
        source: "comment",
      });
      await waitForRunState(harness.db, runId, "completed", 90_000);
      await expect
        .poll(async () => (await harness.db.prisma.run.findUnique({ where: { id: runId } }))?.reportPath, {
          timeout: 20_000,
        })
        .toBeTruthy();
      const run = await harness.db.prisma.run.findUniqueOrThrow({ where: { id: runId } });
      const report = readFileSync(run.reportPath ?? "", "utf8");
      const phase =
        "1,700 input (+3,600 cache read, 170 cache write), 145 output tokens; $0.0150; claude-opus-4-8";
      expect(report).toContain("## Usage");
      for (const key of ["spec", "implement", "review"])
        expect(report).toContain(`| ${key} | 1 | ${phase} |`);
      expect(report).toContain(
        "Run total: 5,100 input (+10,800 cache read, 510 cache write), 435 output tokens; $0.0450; claude-opus-4-8.",
      );
      const usage = await usageOfRun(harness.db.prisma, runId);
      expect(usage.attempts.map((attempt) => attempt.phaseKey)).toEqual(["spec", "implement", "review"]);
      // `devflow status` shows the same, per phase and in total.
      const summary = summarizeRun(await getRunStatus(harness.db.prisma, runId), usage);
      expect(summary.usage?.total).toBe(
        "5,100 input (+10,800 cache read, 510 cache write), 435 output tokens; $0.0450; claude-opus-4-8",
      );
      expect(summary.usage?.phases).toContainEqual({ phase: "review", attempt: 1, usage: phase });
      const sessions = await harness.db.prisma.session.findMany({ where: { runId } });
      const transcript = readFileSync(sessions[0]?.transcriptPath ?? "", "utf8");
      expect(transcript).toContain("assistant: The artifact is written and the command ran.");
      expect(transcript).not.toContain('{"type":');
    } finally {
      await worker.stop();
    }
  });
});
