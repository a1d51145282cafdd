// The real Claude Code TUI (mode: tmux) through devflow's engine and tmux adapter, in its sandbox, against
// the scripted model server: the operator's config defines it by preset with its HOME files (onboarding
// done, its key approved, folders trusted); the prompt is pasted into its pane; it writes the spec with
// its Write tool and runs a command with its Bash tool; the phase completes on the artifact, and the
// usage the server reported is read from Claude's own conversation record in the session HOME.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ServerConfig } from "../../src/config/server-config.js";
import { usageOfRun } from "../../src/engine/record-usage.js";
import { createSessionAdapter } from "../../src/sessions/create-session-adapter.js";
import type { SessionAdapter } from "../../src/sessions/session-adapter.js";
import {
  artifactSchemaIn,
  devflowPhaseTurns,
  type ModelServer,
  phaseOfSchema,
  shellMarker,
  startModelServer,
} from "../fixtures/model-server/index.js";
import { createEngineHarness, type EngineHarness, waitForRunState } from "../support/engine-harness.js";
import { realCliServerConfig } from "../support/real-cli-config.js";

let harness: EngineHarness;
let server: ModelServer;
let config: ServerConfig;
let dataDir = "";

beforeAll(async () => {
  harness = await createEngineHarness();
  server = await startModelServer({ anthropic: devflowPhaseTurns() });
  config = await realCliServerConfig(["claude"], server, "tmux");
  dataDir = harness.tempDir("data");
}, 600_000);
afterAll(async () => {
  await promisify(execFile)("tmux", ["-S", join(dataDir, "tmux", "devflow.sock"), "kill-server"]).catch(
    () => {},
  );
  await harness?.cleanup();
  await server?.close();
});

describe("the real Claude Code TUI through devflow's tmux adapter, sandboxed", () => {
  it("completes the spec phase: the artifact through its Write tool, a command through Bash, its usage read from its own record", async () => {
    const claude = config.agents.claude;
    if (claude === undefined || claude.preset === "fake") throw new Error("no claude agent");
    const adapter: SessionAdapter = createSessionAdapter(
      claude,
      dataDir,
      config.sandbox,
      config.limits,
      config.prices,
    );
    const worker = await harness.worker({
      queue: { backend: "postgres", connectionString: harness.db.url },
      adapter,
      agents: new Map([["claude", adapter]]),
      defaultAgent: "claude",
      dataDir,
      phaseTimeoutMs: 90_000,
    });
    const { runId } = await worker.engine.startRun({
      repository: harness.gitRemote(),
      baseBranch: "main",
      requirements: "Add NOTES.md",
    });
    const sessionLog = async () => {
      const sessions = await harness.db.prisma.session.findMany({ where: { runId } });
      const dir = join(dataDir, "sessions", sessions[0]?.id ?? "none");
      const read = (name: string) => {
        try {
          return readFileSync(join(dir, name), "utf8");
        } catch {
          return "";
        }
      };
      return `${read("transcript.log").slice(-4000)}\nPANE:\n${read("pane.log").slice(-3000)}`;
    };
    await waitForRunState(harness.db, runId, "awaiting_approval", 120_000).catch(async (error: Error) => {
      const seen = server.requests.map((r) => `${r.method} ${r.path} ${r.api}`).join("\n");
      throw new Error(`${error.message}\n${await sessionLog()}\nSERVER:\n${seen}`);
    });
    const [attempt] = await harness.db.prisma.phaseAttempt.findMany({ where: { runId, phaseKey: "spec" } });
    expect(attempt?.state).toBe("succeeded");
    // The gate stops the pane; its last screen goes to the transcript: the Bash tool's output is on it.
    const states = async () =>
      (await harness.db.prisma.session.findMany({ where: { runId } })).map((s) => s.state);
    await expect.poll(states, { timeout: 20_000 }).toEqual(["STOPPED"]);
    const log = await sessionLog();
    expect(log).toContain(shellMarker("spec"));
    expect(log).not.toContain("egress proxy refused");

    // Usage: read from Claude's own record in the session HOME, exactly what the server reported.
    const reported = server.requests
      .filter((request) => request.api === "anthropic" || request.api === "anthropic-side-call")
      .filter((request) => phaseOfSchema(artifactSchemaIn(JSON.stringify(request.body))) === "spec");
    const sum = (key: "inputTokens" | "outputTokens" | "cacheReadTokens" | "cacheWriteTokens") =>
      reported.reduce((total, request) => total + (request.reported?.[key] ?? 0), 0);
    const usage = await usageOfRun(harness.db.prisma, runId);
    expect(usage.attempts).toHaveLength(1);
    expect(usage.attempts[0]).toMatchObject({
      phaseKey: "spec",
      attempt: 1,
      inputTokens: sum("inputTokens"),
      outputTokens: sum("outputTokens"),
      cacheReadTokens: sum("cacheReadTokens"),
      cacheWriteTokens: sum("cacheWriteTokens"),
    });
    expect(sum("outputTokens")).toBeGreaterThan(0);
    expect(server.requests.filter((request) => request.api === "none")).toEqual([]);
    await worker.stop();
  }, 300_000);
});
