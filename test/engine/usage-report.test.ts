// The usage an agent's CLI reports reaches the run's final report: a sandboxed exec agent that prints a
// recorded Claude Code stream goes through spec → approve → implement → review with the real engine;
// each phase attempt's usage (read from the stream, stored per attempt) and the run's total are in
// the report, and the transcript holds readable lines, not the stream's JSON. What each attempt did is
// kept for the check run and the dashboard: the prompt as the agent saw it, the commands its stream
// told of, and what its checkpoint changed.
import { readFileSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { summarizeRun } from "../../src/cli/run-view.js";
import { activityKey, runActivity } from "../../src/engine/phase-activity.js";
import { usageOfRun } from "../../src/engine/record-usage.js";
import { getRunStatus } from "../../src/engine/run-status.js";
import { renderCheckRun } from "../../src/github/effects/render-run-output.js";
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

      // Each prompt as the agent saw it: persona, the phase's instructions, the request fenced as data.
      const prompts = await harness.db.prisma.promptDelivery.findMany({ where: { runId } });
      expect(prompts).toHaveLength(3);
      for (const prompt of prompts) {
        const { instructions } = prompt.envelope as { instructions?: string };
        expect(instructions).toMatch(
          /## Phase `\w+`, attempt 1\n[\s\S]*BEGIN DATA \w+ — the request[^\n]*\nAdd a note\n/,
        );
      }
      // What each attempt did: its agent, the command its stream told of, what its checkpoint changed.
      const activity = await runActivity(harness.db.prisma, runId);
      const implement = activity.get(activityKey("implement", 1));
      expect(implement).toMatchObject({
        agent: "mine",
        commands: [
          { command: expect.stringContaining("echo shell-ran-inside-the-cli"), exitCode: null, failed: true },
        ],
        diffStat: {
          files: 1,
          insertions: 3,
          deletions: 0,
          paths: [{ path: "notes/usage.md", insertions: 3, deletions: 0 }],
        },
      });
      expect(activity.get(activityKey("review", 1))?.diffStat).toMatchObject({ files: 0, paths: [] });
      // …as the check run shows it.
      const checkRun = renderCheckRun(await getRunStatus(harness.db.prisma, runId), report, { activity });
      expect(checkRun.summary).toMatch(
        /^\| implement \| 1 \| mine \| claude-opus-4-8 \| [^|]+ \| 1,700 in \(\+3,770 cache\) · 145 out \| \$0\.0150 \| 1 file \+3 −0 \| ✅ succeeded \|$/m,
      );
    } finally {
      await worker.stop();
    }
  });
});
