// The real agent CLIs through devflow's engine, against the scripted model server (one server, one
// worker for the file). The operator's server config defines the agents by preset — sandbox on, the
// defaults for everything else (Gemini's address space included) — and their HOME files (`home.files`)
// point each CLI at the server, the only host their egress proxy lets through. In every phase the CLI
// writes the artifact devflow's prompt asks for with its own write tool and runs a command with its
// shell tool; devflow records the usage the server reported, per phase.
// - exec mode: Claude Code, Codex and Gemini each take a run through spec → approve → implement →
//   review, and the final report shows each phase's usage (one after another: at once they take as
//   long on two cores, each CLI's start-up being CPU-bound).
// - tmux mode: Claude Code's TUI, its prompt pasted into its pane, completes the spec phase; its usage
//   comes from Claude's own conversation record in the session HOME.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { usageOfRun } from "../../src/engine/record-usage.js";
import { describeUsage } from "../../src/engine/usage-summary.js";
import { createSessionAdapter } from "../../src/sessions/create-session-adapter.js";
import type { SessionAdapter } from "../../src/sessions/session-adapter.js";
import {
  artifactSchemaIn,
  devflowPhaseTurns,
  type ModelServer,
  NOTES_FILE,
  phaseOfSchema,
  type RecordedRequest,
  shellMarker,
  startModelServer,
  type Vendor,
} from "../fixtures/model-server/index.js";
import { createEngineHarness, type EngineHarness, waitForRunState } from "../support/engine-harness.js";
import { realCliServerConfig } from "../support/real-cli-config.js";

const AGENTS = {
  claude: { cli: "claude", mode: "exec" },
  codex: { cli: "codex", mode: "exec" },
  gemini: { cli: "gemini", mode: "exec" },
  "claude-tui": { cli: "claude", mode: "tmux" },
} as const;
const VENDOR = { claude: "anthropic", codex: "openai", gemini: "gemini" } as const;
const PHASE_KEY = { spec: "spec", implementation: "implement", review: "review" } as const;
const MODEL_APIS: readonly RecordedRequest["api"][] = [
  "anthropic",
  "anthropic-side-call",
  "openai",
  "gemini",
  "gemini-routing",
];
type Counts = { input: number; output: number; cacheRead: number; cacheWrite: number };

let harness: EngineHarness;
let server: ModelServer;
let worker: Awaited<ReturnType<EngineHarness["worker"]>>;
let dataDir = "";

beforeAll(async () => {
  harness = await createEngineHarness();
  const turns = devflowPhaseTurns();
  server = await startModelServer({ anthropic: turns, openai: turns, gemini: turns });
  const config = await realCliServerConfig(server, AGENTS);
  dataDir = harness.tempDir("data");
  const agents = new Map<string, SessionAdapter>(
    Object.entries(config.agents).map(([name, agent]) => [
      name,
      createSessionAdapter(agent, dataDir, config.sandbox, config.limits, config.prices),
    ]),
  );
  worker = await harness.worker({
    queue: { backend: "postgres", connectionString: harness.db.url },
    adapter: agents.get(config.defaultAgent) as SessionAdapter,
    agents,
    defaultAgent: config.defaultAgent,
    dataDir,
    phaseTimeoutMs: 120_000,
  });
}, 600_000);
afterAll(async () => {
  await promisify(execFile)("tmux", ["-S", join(dataDir, "tmux", "devflow.sock"), "kill-server"]).catch(
    () => {},
  );
  await harness?.cleanup();
  await server?.close();
});

/** What the server reported to `vendor` for the run's prompts (they name its artifacts), by phase key. */
function reportedPerPhase(vendor: Vendor, runId: string): Map<string, Counts> {
  const totals = new Map<string, Counts>();
  for (const request of server.requests) {
    if (request.reported === undefined || !request.api.startsWith(vendor)) continue;
    const body = JSON.stringify(request.body);
    const phase = phaseOfSchema(artifactSchemaIn(body));
    if (phase === undefined || !body.includes(runId)) continue;
    const key = PHASE_KEY[phase];
    const sum = totals.get(key) ?? { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 };
    sum.input += request.reported.inputTokens;
    sum.output += request.reported.outputTokens;
    sum.cacheRead += request.reported.cacheReadTokens ?? 0;
    sum.cacheWrite += request.reported.cacheWriteTokens ?? 0;
    totals.set(key, sum);
  }
  return totals;
}

function readOrNothing(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}

/** The run's session transcripts (and a pane's output), oldest first. */
async function sessionLogs(runId: string): Promise<string[]> {
  const sessions = await harness.db.prisma.session.findMany({
    where: { runId },
    orderBy: { createdAt: "asc" },
  });
  return sessions.map((session) => {
    const dir = join(dataDir, "sessions", session.id);
    return `${readOrNothing(join(dir, "transcript.log"))}${readOrNothing(join(dir, "pane.log")).slice(-3000)}`;
  });
}

/** A failure with what the run's agents printed and what the server saw: a real CLI fails in many ways. */
async function withLogs(runId: string, wait: Promise<unknown>): Promise<void> {
  await wait.catch(async (error: Error) => {
    const logs = (await sessionLogs(runId)).map((log) => log.slice(-3000));
    const seen = server.requests.map((request) => `${request.method} ${request.path} ${request.api}`);
    throw new Error(`${error.message}\n${logs.join("\n---\n")}\nSERVER:\n${seen.slice(-20).join("\n")}`);
  });
}

const tokensOf = (attempt: {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
}) => [attempt.inputTokens, attempt.outputTokens, attempt.cacheReadTokens, attempt.cacheWriteTokens];
const countsOf = (counts: Counts | undefined) => [
  counts?.input,
  counts?.output,
  counts?.cacheRead,
  counts?.cacheWrite,
];

describe.each(["claude", "codex", "gemini"] as const)("the real %s CLI, exec mode, sandboxed", (cli) => {
  it("takes a run through spec → approve → implement → review; the report shows each phase's usage as the server reported it", async () => {
    const remote = harness.gitRemote();
    const { runId } = await worker.engine.startRun({
      repository: remote,
      baseBranch: "main",
      requirements: "Add NOTES.md",
      agents: { spec_writer: cli, implementer: cli, reviewer: cli },
    });
    await withLogs(runId, waitForRunState(harness.db, runId, "awaiting_approval", 60_000));
    await worker.engine.decide({
      runId,
      action: "approve",
      clientToken: `ok-${cli}`,
      actor: "alice",
      source: "comment",
    });
    await withLogs(runId, waitForRunState(harness.db, runId, "completed", 300_000));
    await expect
      .poll(async () => (await harness.db.prisma.run.findUnique({ where: { id: runId } }))?.reportPath, {
        timeout: 20_000,
      })
      .toBeTruthy();
    const run = await harness.db.prisma.run.findUniqueOrThrow({ where: { id: runId } });
    const report = readFileSync(run.reportPath ?? "", "utf8");

    // Usage: per phase attempt exactly what the server reported, and so in the report.
    const usage = await usageOfRun(harness.db.prisma, runId);
    const reported = reportedPerPhase(VENDOR[cli], runId);
    expect(usage.attempts.map((attempt) => attempt.phaseKey)).toEqual(["spec", "implement", "review"]);
    for (const attempt of usage.attempts) {
      expect(tokensOf(attempt), `${cli} ${attempt.phaseKey}`).toEqual(
        countsOf(reported.get(attempt.phaseKey)),
      );
      expect(report).toContain(`| ${attempt.phaseKey} | 1 | ${describeUsage(attempt)} |`);
    }

    // Full tools: each phase's shell command ran inside the sandbox; the implementation's change is committed.
    const logs = await sessionLogs(runId);
    for (const [index, phase] of (["spec", "implementation", "review"] as const).entries()) {
      expect(logs[index]).toContain(shellMarker(phase));
      expect(logs[index]).toContain("in its sandbox (bubblewrap, network only to");
      expect(logs[index]).not.toContain("egress proxy refused");
    }
    const notes = await promisify(execFile)("git", [
      "--git-dir",
      remote,
      "show",
      `${run.branch}:${NOTES_FILE}`,
    ]);
    // The CLI may repeat a model call it timed out on under load (and so run the command again): every
    // line is the implementation phase's own marker, and there is at least one.
    expect(new Set(notes.stdout.trimEnd().split("\n"))).toEqual(new Set([shellMarker("implementation")]));
    expect(report).toContain(NOTES_FILE);
    // Nothing but model calls reached the server, and nothing else left the sandbox (no refusals above).
    expect(server.requests.filter((request) => !MODEL_APIS.includes(request.api))).toEqual([]);
  }, 600_000);
});

describe("the real Claude Code TUI, tmux mode, sandboxed", () => {
  it("completes the spec phase: its Write tool, its Bash tool, its usage from its own record", async () => {
    const { runId } = await worker.engine.startRun({
      repository: harness.gitRemote(),
      baseBranch: "main",
      requirements: "Add NOTES.md",
      agents: { spec_writer: "claude-tui" },
    });
    await withLogs(runId, waitForRunState(harness.db, runId, "awaiting_approval", 120_000));
    const [attempt] = await harness.db.prisma.phaseAttempt.findMany({ where: { runId, phaseKey: "spec" } });
    expect(attempt?.state).toBe("succeeded");
    // The gate stops the pane; its last screen goes to the transcript: the Bash tool's output is on it.
    const states = async () =>
      (await harness.db.prisma.session.findMany({ where: { runId } })).map((s) => s.state);
    await expect.poll(states, { timeout: 20_000 }).toEqual(["STOPPED"]);
    const [log] = await sessionLogs(runId);
    expect(log).toContain(shellMarker("spec"));
    expect(log).not.toContain("egress proxy refused");

    const usage = await usageOfRun(harness.db.prisma, runId);
    const reported = reportedPerPhase("anthropic", runId);
    expect(usage.attempts.map((entry) => [entry.phaseKey, entry.attempt])).toEqual([["spec", 1]]);
    expect(tokensOf(usage.attempts[0] ?? usage.total)).toEqual(countsOf(reported.get("spec")));
    expect(reported.get("spec")?.output).toBeGreaterThan(0);
    expect(server.requests.filter((request) => !MODEL_APIS.includes(request.api))).toEqual([]);
  }, 300_000);
});
