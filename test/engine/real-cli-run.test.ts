// The whole development run — spec → approve → implement → review — with each real agent CLI (Claude
// Code, Codex, Gemini) through devflow's engine: the operator's server config defines the agents by
// preset (exec mode, sandbox on, the defaults for everything else, Gemini's address space included),
// their HOME files (`home.files`) point each CLI at the scripted model server, the only host their
// egress proxy lets through. In every phase the CLI writes the artifact devflow's prompt asks for with
// its write tool and runs a command with its shell tool; the final report shows, per phase, exactly the
// usage the server reported. One server and one worker for the file; the runs go one after another.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ServerConfig } from "../../src/config/server-config.js";
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
import type { RealCli } from "../support/agent-clis.js";
import { createEngineHarness, type EngineHarness, waitForRunState } from "../support/engine-harness.js";
import { realCliServerConfig } from "../support/real-cli-config.js";

const CLIS = ["claude", "codex", "gemini"] as const;
const VENDOR: Record<RealCli, Vendor> = { claude: "anthropic", codex: "openai", gemini: "gemini" };
const PHASE_KEY = { spec: "spec", implementation: "implement", review: "review" } as const;
const MODEL_APIS: readonly RecordedRequest["api"][] = [
  "anthropic",
  "anthropic-side-call",
  "openai",
  "gemini",
  "gemini-routing",
];

let harness: EngineHarness;
let server: ModelServer;
let config: ServerConfig;
let worker: Awaited<ReturnType<EngineHarness["worker"]>>;
let dataDir = "";

beforeAll(async () => {
  harness = await createEngineHarness();
  const turns = devflowPhaseTurns();
  server = await startModelServer({ anthropic: turns, openai: turns, gemini: turns });
  config = await realCliServerConfig(CLIS, server);
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
  await harness?.cleanup();
  await server?.close();
});

/** What the server reported to `vendor` per devflow phase key, in devflow's usage terms. */
function reportedPerPhase(vendor: Vendor) {
  const totals = new Map<string, { input: number; output: number; cacheRead: number; cacheWrite: number }>();
  for (const request of server.requests) {
    if (request.reported === undefined || !request.api.startsWith(vendor)) continue;
    const phase = phaseOfSchema(artifactSchemaIn(JSON.stringify(request.body)));
    if (phase === undefined) continue;
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

function readOrNothing(path: string | null): string {
  try {
    return readFileSync(path ?? "", "utf8");
  } catch {
    return "";
  }
}

/** A failure with what the run's agents printed and what the server saw: a real CLI fails in many ways. */
async function withTranscripts(runId: string, wait: Promise<unknown>): Promise<void> {
  await wait.catch(async (error: Error) => {
    const sessions = await harness.db.prisma.session.findMany({ where: { runId } });
    const texts = sessions.map(
      (session) => `--- ${session.roleId}\n${readOrNothing(session.transcriptPath).slice(-3000)}`,
    );
    const seen = server.requests.map((request) => `${request.method} ${request.path} ${request.api}`);
    throw new Error(`${error.message}\n${texts.join("\n")}\nSERVER:\n${seen.slice(-20).join("\n")}`);
  });
}

// One after another: at once they take as long on two cores, each CLI's start-up being CPU-bound.
describe.each(CLIS)("a development run with the real %s CLI, in exec mode, sandboxed", (cli) => {
  it("completes spec → approve → implement → review; the report shows each phase's usage as the server reported it", async () => {
    const remote = harness.gitRemote();
    const { runId } = await worker.engine.startRun({
      repository: remote,
      baseBranch: "main",
      requirements: "Add NOTES.md",
      agents: { spec_writer: cli, implementer: cli, reviewer: cli },
    });
    await withTranscripts(runId, waitForRunState(harness.db, runId, "awaiting_approval", 120_000));
    await worker.engine.decide({
      runId,
      action: "approve",
      clientToken: `ok-${cli}`,
      actor: "alice",
      source: "comment",
    });
    await withTranscripts(runId, waitForRunState(harness.db, runId, "completed", 300_000));
    await expect
      .poll(async () => (await harness.db.prisma.run.findUnique({ where: { id: runId } }))?.reportPath, {
        timeout: 20_000,
      })
      .toBeTruthy();
    const run = await harness.db.prisma.run.findUniqueOrThrow({ where: { id: runId } });
    const report = readFileSync(run.reportPath ?? "", "utf8");

    // Usage: per phase attempt exactly what the server reported, and so in the report.
    const usage = await usageOfRun(harness.db.prisma, runId);
    const reported = reportedPerPhase(VENDOR[cli]);
    expect(usage.attempts.map((attempt) => attempt.phaseKey)).toEqual(["spec", "implement", "review"]);
    for (const attempt of usage.attempts) {
      const expected = reported.get(attempt.phaseKey);
      expect(
        [attempt.inputTokens, attempt.outputTokens, attempt.cacheReadTokens, attempt.cacheWriteTokens],
        `${cli} ${attempt.phaseKey}`,
      ).toEqual([expected?.input, expected?.output, expected?.cacheRead, expected?.cacheWrite]);
      expect(report).toContain(`| ${attempt.phaseKey} | 1 | ${describeUsage(attempt)} |`);
    }

    // Full tools: each phase's shell command ran inside the sandbox; the implementation's change is committed.
    const sessions = await harness.db.prisma.session.findMany({
      where: { runId },
      orderBy: { createdAt: "asc" },
    });
    const transcripts = sessions.map((session) => readFileSync(session.transcriptPath ?? "", "utf8"));
    for (const [index, phase] of (["spec", "implementation", "review"] as const).entries()) {
      expect(transcripts[index]).toContain(shellMarker(phase));
      expect(transcripts[index]).toContain("in its sandbox (bubblewrap, network only to");
      expect(transcripts[index]).not.toContain("egress proxy refused");
    }
    const notes = await promisify(execFile)("git", [
      "--git-dir",
      remote,
      "show",
      `${run.branch}:${NOTES_FILE}`,
    ]);
    expect(notes.stdout).toBe(`${shellMarker("implementation")}\n`);
    expect(report).toContain(NOTES_FILE);
    // Nothing but model calls reached the server, and nothing else left the sandbox (no refusals above).
    expect(server.requests.filter((request) => !MODEL_APIS.includes(request.api))).toEqual([]);
  }, 600_000);
});
