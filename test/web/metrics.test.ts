// /metrics counts what every worker recorded in Postgres: a sandbox that fails an agent's session is
// counted by its reason, whichever process scrapes.
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ExecSessionAdapter } from "../../src/sessions/exec-adapter.js";
import { createMetrics } from "../../src/web/metrics.js";
import { createEngineHarness, type EngineHarness, waitForRunState } from "../support/engine-harness.js";

const AGENT = fileURLToPath(new URL("../fixtures/exec-agent.mjs", import.meta.url));
let harness: EngineHarness;

beforeAll(async () => {
  harness = await createEngineHarness();
});
afterAll(() => harness.cleanup());

describe("/metrics", () => {
  it("counts sandbox failures by reason", async () => {
    // bubblewrap is not on the PATH the agent is started with: its sandbox cannot be entered.
    const noBwrap = join(harness.tempDir("path"), "bin");
    mkdirSync(noBwrap);
    const worker = await harness.worker({
      queue: { backend: "postgres", connectionString: harness.db.url },
      adapter: new ExecSessionAdapter({
        command: [process.execPath, AGENT],
        promptVia: "stdin",
        passThrough: [],
        env: { PATH: noBwrap },
        sandbox: { readOnlyPaths: [dirname(AGENT)] },
      }),
    });
    try {
      const { runId } = await worker.engine.startRun({
        repository: harness.gitRemote(),
        baseBranch: "main",
        requirements: "Add a flag",
      });
      // Each attempt fails at its prompt; once none is left the run stops for a human.
      await waitForRunState(harness.db, runId, ["failed", "paused"], 60_000);
      const failures = await harness.db.prisma.runEvent.count({ where: { type: "sandbox.failed" } });
      expect(failures).toBeGreaterThan(0);
      const metrics = createMetrics({ prisma: harness.db.prisma, githubApiOrigin: "https://api.github.com" });
      const text = await metrics.registry.metrics();
      expect(text).toContain("# TYPE devflow_sandbox_failures_total counter");
      expect(text).toContain(`devflow_sandbox_failures_total{reason="sandbox_unavailable"} ${failures}`);
    } finally {
      await worker.stop();
    }
  });
});
