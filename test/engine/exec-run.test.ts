// A headless `command` agent (the exec adapter) through the engine: re-prompted after an invalid
// artifact, its crash quoted in the attempt's failure, and none of devflow's secrets in what it sees.
import { randomUUID } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SandboxSettings } from "../../src/config/sandbox-settings.js";
import { ExecSessionAdapter } from "../../src/sessions/exec-adapter.js";
import { runningInGroup } from "../sessions/exec-agent-runs.js";
import { createEngineHarness, type EngineHarness, waitForRunState } from "../support/engine-harness.js";

const AGENT = fileURLToPath(new URL("../fixtures/exec-agent.mjs", import.meta.url));
const SECRETS = ["DATABASE_URL", "REDIS_URL", "PRIVATE_KEY", "WEBHOOK_SECRET", "GITHUB_TOKEN"] as const;
const canaries = Object.fromEntries(SECRETS.map((name) => [name, `canary-${name}-${randomUUID()}`]));
const saved: Record<string, string | undefined> = {};
let harness: EngineHarness;

beforeAll(async () => {
  harness = await createEngineHarness();
  // In the worker's own environment, as a real deployment has them.
  for (const name of SECRETS) {
    saved[name] = process.env[name];
    process.env[name] = canaries[name];
  }
});
afterAll(async () => {
  for (const name of SECRETS) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
  await harness.cleanup();
});

/** The fixture agent in the default sandbox, its script shown read-only (sandbox.readOnlyPaths). */
function execAgent(sandbox: Partial<SandboxSettings> = { readOnlyPaths: [dirname(AGENT)] }) {
  return new ExecSessionAdapter({
    command: [process.execPath, AGENT],
    promptVia: "stdin",
    passThrough: [],
    sandbox,
  });
}

describe("a command agent through the engine", () => {
  it("is re-prompted after an invalid artifact, and sees none of devflow's secrets", async () => {
    const dataDir = harness.tempDir("data");
    const worker = await harness.worker({
      queue: { backend: "postgres", connectionString: harness.db.url },
      adapter: execAgent(),
      dataDir,
    });
    const { runId } = await worker.engine.startRun({
      repository: harness.gitRemote(),
      baseBranch: "main",
      requirements: "Add a flag",
      scenarios: { spec: "invalid-then-valid" },
    });
    await waitForRunState(harness.db, runId, "awaiting_approval", 60_000);
    const spec = await harness.db.prisma.phaseAttempt.findMany({ where: { runId, phaseKey: "spec" } });
    expect(spec.map((a) => [a.attempt, a.state])).toEqual([[1, "succeeded"]]);
    expect(await harness.db.prisma.runEvent.count({ where: { runId, type: "artifact.rejected" } })).toBe(1);

    const worktree = join(dataDir, "workspaces", runId, "main");
    const dumps = readdirSync(worktree).filter((name) => name.startsWith("exec-agent-dump-"));
    expect(dumps).toHaveLength(2); // one per prompt
    const seen = [
      ...dumps.map((name) => readFileSync(join(worktree, name), "utf8")), // env, argv, prompt
      JSON.stringify(await harness.db.prisma.runEvent.findMany({ where: { runId } }), (_key, value) =>
        typeof value === "bigint" ? String(value) : value,
      ),
      JSON.stringify(await harness.db.prisma.promptDelivery.findMany({ where: { runId } })),
    ].join("\n");
    for (const name of SECRETS) expect(seen).not.toContain(canaries[name]);
    const env = JSON.parse(readFileSync(join(worktree, dumps[0] ?? ""), "utf8")).env as Record<
      string,
      string
    >;
    expect(Object.keys(env).sort()).toEqual(
      [
        "DEVFLOW_ARTIFACT_PATH",
        "DEVFLOW_ARTIFACT_SCHEMA",
        "DEVFLOW_ATTEMPT",
        "DEVFLOW_PHASE",
        "DEVFLOW_PROMPT_FILE",
        "DEVFLOW_RUN_ID",
        "DEVFLOW_USAGE_FILE",
        "HOME",
        "LANG",
        "PATH",
        "TERM",
      ].sort(),
    );
    await worker.stop();
  });

  it("fails an attempt whose agent exits without its artifact, quoting how it ended", async () => {
    const worker = await harness.worker({
      queue: { backend: "postgres", connectionString: harness.db.url },
      adapter: execAgent(),
    });
    const { runId } = await worker.engine.startRun({
      repository: harness.gitRemote(),
      baseBranch: "main",
      requirements: "Crash",
      scenarios: { spec: ["crash", "ok"] },
    });
    await waitForRunState(harness.db, runId, "awaiting_approval", 60_000);
    const [first, second] = await harness.db.prisma.phaseAttempt.findMany({
      where: { runId, phaseKey: "spec" },
      orderBy: { attempt: "asc" },
    });
    expect(first?.failureCode).toBe("session_crashed");
    expect(first?.failureReason).toContain("exit 3");
    expect(first?.failureReason).toContain("fatal: the model is out of cheese");
    expect(second?.state).toBe("succeeded");
    await worker.stop();
  });

  it("ends the agent's whole process group when the phase times out, and the next attempt goes on", async () => {
    const dataDir = harness.tempDir("data");
    const worker = await harness.worker({
      queue: { backend: "postgres", connectionString: harness.db.url },
      // The agent records its own pids: inside the sandbox's PID namespace they are not the host's, so this
      // covers an unsandboxed agent's process group (sandbox: none); the sandboxed agent's setsid children
      // are shown gone by a marker in argv in test/engine/sandbox-run.test.ts.
      adapter: execAgent({ kind: "none" }),
      dataDir,
      phaseTimeoutMs: 4_000,
    });
    const { runId } = await worker.engine.startRun({
      repository: harness.gitRemote(),
      baseBranch: "main",
      requirements: "Think forever",
      scenarios: { spec: ["timeout", "ok"] },
    });
    await waitForRunState(harness.db, runId, "awaiting_approval", 60_000);
    const [first, second] = await harness.db.prisma.phaseAttempt.findMany({
      where: { runId, phaseKey: "spec" },
      orderBy: { attempt: "asc" },
    });
    expect(first?.failureCode).toBe("artifact_timeout");
    expect(second?.state).toBe("succeeded");
    // The timed-out agent ignored SIGTERM and had started a child of its own (in its process group): no
    // process of the group runs any more (a zombie awaiting its reaper is not running).
    const pids = JSON.parse(
      readFileSync(join(dataDir, "workspaces", runId, "main", "exec-agent-pids.json"), "utf8"),
    ) as { agent: number };
    expect(await runningInGroup(pids.agent)).toEqual([]);
    await worker.stop();
  });
});
