// Issue 5's end-to-end path: a development run driven by a scripted interactive agent in real tmux
// panes; a human can attach read-only while it works; a restarted worker resumes the live pane.
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DispatchEngine } from "../../src/engine/dispatch-engine.js";
import { usageOfRun } from "../../src/engine/record-usage.js";
import { silentLog } from "../../src/engine/worker-context.js";
import { RunQueue } from "../../src/queue/run-queue.js";
import { attachCommand, TmuxSessionAdapter } from "../../src/sessions/tmux-adapter.js";
import { tmuxSessionName } from "../../src/sessions/tmux-pane-info.js";
import { createEngineHarness, type EngineHarness, waitForRunState } from "../support/engine-harness.js";
import { startWorkerProcess } from "../support/worker-process.js";

const run = promisify(execFile);
const TUI_AGENT = fileURLToPath(new URL("../fixtures/tui-agent.mjs", import.meta.url));
let harness: EngineHarness;
let socketPath: string;

beforeAll(async () => {
  harness = await createEngineHarness();
  socketPath = join(harness.tempDir("tmux"), "devflow.sock");
});
afterAll(async () => {
  await run("tmux", ["-S", socketPath, "kill-server"]).catch(() => {});
  await harness.cleanup();
});

/** What the agent says each prompt used, in its usage file (DEVFLOW_USAGE_FILE). */
const TUI_USAGE = { inputTokens: 1234, outputTokens: 56, costUsd: 0.5, model: "tui-model" };

function tuiAdapter(workMs: number) {
  return new TmuxSessionAdapter({
    socketPath,
    command: [process.execPath, TUI_AGENT],
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      LANG: "C.UTF-8",
      TERM: "xterm-256color",
      TUI_AGENT_WORK_MS: String(workMs),
      TUI_AGENT_USAGE: JSON.stringify(TUI_USAGE),
    },
    sandbox: { readOnlyPaths: [dirname(TUI_AGENT)] }, // the fixture agent, read-only
    readyPattern: /Ready for a prompt/, // nothing is pasted before the TUI takes input
  });
}

describe("a run with an interactive agent in tmux", () => {
  it("goes spec → gate → implement → review → completed, watchable read-only while it works", async () => {
    const queue = { backend: "postgres" as const, connectionString: harness.db.url };
    const worker = await harness.worker({ queue, adapter: tuiAdapter(300), defaultAgent: "tui" });
    const { runId } = await worker.engine.startRun({
      repository: harness.gitRemote(),
      baseBranch: "main",
      requirements: "Add a flag",
    });
    await expect
      .poll(() => harness.db.prisma.runEvent.count({ where: { runId, type: "prompt.sent" } }), {
        timeout: 20_000,
      })
      .toBe(1);
    // The command the README gives a human: the pane is there to attach to.
    const watch = attachCommand(socketPath, tmuxSessionName(runId, "spec_writer"), { readOnly: true });
    expect(watch).toEqual([
      "tmux",
      "-S",
      socketPath,
      "attach",
      "-t",
      tmuxSessionName(runId, "spec_writer"),
      "-r",
    ]);
    await run("tmux", ["-S", socketPath, "has-session", "-t", tmuxSessionName(runId, "spec_writer")]);

    await waitForRunState(harness.db, runId, "awaiting_approval", 30_000);
    await worker.engine.decide({
      runId,
      action: "approve",
      clientToken: "t-1",
      actor: "octocat",
      source: "cli",
    });
    await waitForRunState(harness.db, runId, "completed", 60_000);
    const sessions = await harness.db.prisma.session.findMany({ where: { runId } });
    expect(new Set(sessions.map((s) => s.backend))).toEqual(new Set(["tmux"]));
    // Each pane's usage file, read when its attempt's artifact came, is that phase attempt's usage.
    const usage = await usageOfRun(harness.db.prisma, runId);
    expect(
      usage.attempts.map(({ phaseKey, attempt, inputTokens, outputTokens, costUsd, models }) => ({
        phaseKey,
        attempt,
        inputTokens,
        outputTokens,
        costUsd,
        models,
      })),
    ).toEqual(
      ["spec", "implement", "review"].map((phaseKey) => ({
        phaseKey,
        attempt: 1,
        inputTokens: 1234,
        outputTokens: 56,
        costUsd: 0.5,
        models: ["tui-model"],
      })),
    );
    await worker.stop(); // the next test's worker processes take this queue's jobs alone
  });

  it("resumes the live pane after its worker is SIGKILLed mid-phase: same session, same attempt, no prompt twice", async () => {
    const dataDir = harness.tempDir("host");
    const hostId = harness.hostId();
    // sandbox: none — the test watches the agent's log in the data directory, which a sandboxed agent
    // cannot see; the sandboxed pane is the test above, and test/engine/sandbox-run.test.ts.
    const agents = {
      yaml: [
        `tui: { preset: command, mode: tmux, sandbox: none, command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(TUI_AGENT)}], passThrough: [TUI_AGENT_WORK_MS, TUI_AGENT_LOG], readyPattern: "Ready for a prompt" }`,
      ],
      defaultAgent: "tui",
    };
    const agentLog = join(dataDir, "agent.log");
    const options = {
      databaseUrl: harness.db.url,
      hostId,
      dataDir,
      agentDelayMs: 0,
      agents,
      env: { TUI_AGENT_WORK_MS: "4000", TUI_AGENT_LOG: agentLog },
    };
    const first = await startWorkerProcess(options);
    const web = new DispatchEngine({
      prisma: harness.db.prisma,
      queue: new RunQueue({ backend: "postgres", connectionString: harness.db.url }),
      log: silentLog,
    });
    const { runId } = await web.startRun({
      repository: harness.gitRemote(),
      baseBranch: "main",
      requirements: "Survive",
      gates: [],
    });
    // Killed once the agent has its prompt and works on it (a kill mid-paste would cost the attempt).
    await expect
      .poll(() => readFile(agentLog, "utf8").catch(() => ""), { timeout: 60_000 })
      .toContain('"event":"prompt"');
    first.child.kill("SIGKILL");
    await first.exited;
    const pane = tmuxSessionName(runId, "spec_writer");
    await run("tmux", ["-S", join(dataDir, "tmux", "devflow.sock"), "has-session", "-t", pane]); // the agent lives on

    const second = await startWorkerProcess({
      ...options,
      env: { TUI_AGENT_WORK_MS: "300", TUI_AGENT_LOG: agentLog },
    });
    try {
      await waitForRunState(harness.db, runId, "completed", 90_000);
      const spec = await harness.db.prisma.phaseAttempt.findMany({ where: { runId, phaseKey: "spec" } });
      expect(spec.map((a) => [a.attempt, a.state])).toEqual([[1, "succeeded"]]);
      const specSessions = await harness.db.prisma.session.findMany({
        where: { runId, roleId: "spec_writer" },
      });
      expect(specSessions).toHaveLength(1); // resumed, not replaced
      const prompts = await harness.db.prisma.runEvent.findMany({ where: { runId, type: "prompt.sent" } });
      const keys = prompts.map((p) => (p.payload as { dedupKey: string }).dedupKey);
      expect(new Set(keys).size).toBe(keys.length);
    } finally {
      second.child.kill("SIGTERM");
      await second.exited;
      await run("tmux", ["-S", join(dataDir, "tmux", "devflow.sock"), "kill-server"]).catch(() => {});
    }
  }, 120_000);
});
