// `sandbox: none` is an operator's explicit choice: a worker warns about such an agent when it starts, and
// the final report of a run whose agent ran unsandboxed says so; a sandboxed run's report does not.
import { readFileSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SandboxKind } from "../../src/config/sandbox-settings.js";
import { ExecSessionAdapter } from "../../src/sessions/exec-adapter.js";
import { createEngineHarness, type EngineHarness, waitForRunState } from "../support/engine-harness.js";
import { startWorkerProcess } from "../support/worker-process.js";

const AGENT = fileURLToPath(new URL("../fixtures/exec-agent.mjs", import.meta.url));
let harness: EngineHarness;

beforeAll(async () => {
  harness = await createEngineHarness();
});
afterAll(() => harness.cleanup());

async function reportOfCrashingRun(kind: SandboxKind): Promise<string> {
  const adapter = new ExecSessionAdapter({
    command: [process.execPath, AGENT],
    promptVia: "stdin",
    passThrough: [],
    sandbox: { kind, readOnlyPaths: [dirname(AGENT)] },
  });
  const worker = await harness.worker({
    queue: { backend: "postgres", connectionString: harness.db.url },
    adapter,
    defaultAgent: "mine",
  });
  const { runId } = await worker.engine.startRun({
    repository: harness.gitRemote(),
    baseBranch: "main",
    requirements: "Crash every time",
    scenarios: { spec: "crash" },
  });
  const run = await waitForRunState(harness.db, runId, "failed", 90_000);
  await expect
    .poll(async () => (await harness.db.prisma.run.findUnique({ where: { id: run.id } }))?.reportPath, {
      timeout: 20_000,
    })
    .toBeTruthy();
  const written = await harness.db.prisma.run.findUnique({ where: { id: run.id } });
  await worker.stop();
  return readFileSync(written?.reportPath ?? "", "utf8");
}

describe("the final report", () => {
  it("says that a run's agent ran unsandboxed (sandbox: none), and says nothing of the kind otherwise", async () => {
    const unsandboxed = await reportOfCrashingRun("none");
    expect(unsandboxed).toContain(
      "⚠️ Agent `mine` ran UNSANDBOXED (`sandbox: none` in the server config): it could read devflow's data directory and its processes were not contained.",
    );
    const sandboxed = await reportOfCrashingRun("bubblewrap");
    expect(sandboxed).toContain("❌ failed");
    expect(sandboxed).not.toContain("UNSANDBOXED");
  });
});

describe("a worker's start-up", () => {
  it("warns about each agent the server config runs with sandbox: none, and only those", async () => {
    const worker = await startWorkerProcess({
      databaseUrl: harness.db.url,
      hostId: harness.hostId(),
      dataDir: harness.tempDir("warned"),
      agentDelayMs: 0,
      agents: {
        yaml: [
          "loose: { preset: command, sandbox: none, command: [/usr/bin/true] }",
          "boxed: { preset: command, command: [/usr/bin/true] }",
        ],
        defaultAgent: "boxed",
      },
    });
    try {
      expect(worker.output()).toContain(
        "agent loose runs WITHOUT a sandbox (sandbox: none in the server config)",
      );
      expect(worker.output()).not.toContain("agent boxed runs WITHOUT");
    } finally {
      worker.child.kill("SIGTERM");
      await worker.exited;
    }
  });
});
