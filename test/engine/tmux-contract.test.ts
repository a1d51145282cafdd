// Issue 16 item 3: a tmux agent gets every contract variable the README promises, true for the phase
// attempt it serves (a pane's environment is fixed at start, so a pane serves one attempt), and an
// attempt that ends without an artifact names the variable and the path the agent should have used
// (in tmux and exec mode alike).
import { execFile } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { artifactPathOf } from "../../src/engine/worker-context.js";
import { ExecSessionAdapter } from "../../src/sessions/exec-adapter.js";
import { TmuxSessionAdapter } from "../../src/sessions/tmux-adapter.js";
import { createEngineHarness, type EngineHarness, waitForRunState } from "../support/engine-harness.js";

const run = promisify(execFile);
const CONTRACT_AGENT = fileURLToPath(new URL("../fixtures/contract-agent.mjs", import.meta.url));
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

function tmuxAgent(command: string[]) {
  return new TmuxSessionAdapter({
    socketPath,
    command,
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", LANG: "C.UTF-8", TERM: "xterm-256color" },
    sandbox: { readOnlyPaths: [dirname(CONTRACT_AGENT)] }, // the fixture agent, read-only
  });
}

describe("the contract variables in a tmux pane", () => {
  it("let an agent written from the README alone finish every phase, a second implement attempt included", async () => {
    const queue = { backend: "postgres" as const, connectionString: harness.db.url };
    const adapter = tmuxAgent([process.execPath, CONTRACT_AGENT]);
    // A pane left with an earlier attempt's variables would cost its attempt at this timeout, not the run.
    const worker = await harness.worker({ queue, adapter, defaultAgent: "contract", phaseTimeoutMs: 30_000 });
    try {
      const { runId } = await worker.engine.startRun({
        repository: harness.gitRemote(),
        baseBranch: "main",
        requirements: "Follow the README",
        gates: [],
      });
      await waitForRunState(harness.db, runId, "completed", 90_000);
      const attempts = await harness.db.prisma.phaseAttempt.findMany({
        where: { runId },
        orderBy: { startedAt: "asc" },
      });
      expect(attempts.map((a) => [a.phaseKey, a.attempt, a.state])).toEqual([
        ["spec", 1, "succeeded"],
        ["implement", 1, "succeeded"],
        ["review", 1, "succeeded"],
        ["implement", 2, "succeeded"],
        ["review", 2, "succeeded"],
      ]);
      // The second implement attempt read DEVFLOW_ATTEMPT=2 (and wrote to that attempt's path): the
      // implementer's pane of attempt 1 was not reused with attempt 1's variables.
      const implement = attempts.filter((a) => a.phaseKey === "implement").map((a) => a.artifact);
      expect(implement).toMatchObject([
        { summary: "Contract implementation, attempt 1." },
        { summary: "Contract implementation, attempt 2." },
      ]);
      const implementers = await harness.db.prisma.session.findMany({
        where: { runId, roleId: "implementer" },
      });
      expect(implementers).toHaveLength(2);
    } finally {
      await worker.stop();
    }
  }, 120_000);

  // An agent that reads its prompt and exits without writing anything, in each mode.
  const SILENT = ["/bin/sh", "-c", "read line; echo 'I wrote nothing'; exit 1"];
  const silentAgents = {
    tmux: () => tmuxAgent(SILENT),
    exec: () => new ExecSessionAdapter({ command: SILENT, promptVia: "stdin", passThrough: [] }),
  };
  it.each(Object.keys(silentAgents) as (keyof typeof silentAgents)[])(
    "names the variable and the path when a %s agent ends without writing the artifact",
    async (mode) => {
      const queue = { backend: "postgres" as const, connectionString: harness.db.url };
      const worker = await harness.worker({ queue, adapter: silentAgents[mode](), defaultAgent: "silent" });
      try {
        const { runId } = await worker.engine.startRun({
          repository: harness.gitRemote(),
          baseBranch: "main",
          requirements: "Write nothing",
          gates: [],
        });
        const failed = { runId, phaseKey: "spec", attempt: 1, state: "failed" as const };
        await expect
          .poll(() => harness.db.prisma.phaseAttempt.findFirst({ where: failed }), { timeout: 30_000 })
          .not.toBeNull();
        const attempt = await harness.db.prisma.phaseAttempt.findFirstOrThrow({ where: failed });
        const path = artifactPathOf(worker.context, runId, "spec", 1);
        expect(attempt.failureCode).toBe("session_crashed");
        expect(attempt.failureReason).toContain(
          `without writing the artifact: the agent should have written dev/spec@1 JSON to $DEVFLOW_ARTIFACT_PATH = ${path}`,
        );
      } finally {
        await worker.stop();
      }
    },
    60_000,
  );
});
