// devflow as a GitHub Action (DESIGN §5, way 3): one job per event. It migrates the database named by
// the database-url secret (idempotent; Prisma's engine serializes concurrent jobs under its advisory
// lock), hands the event to the same Probot app as the server, advances the runs it touched in this
// process — starting at most one phase per job, sized to fit the job (phase-budget.ts) — and delivers
// the outbox before the job ends. A schedule or workflow_dispatch event only continues unfinished runs.
import { mkdirSync, readFileSync } from "node:fs";
import type { ServerConfig } from "../config/index.js";
import { loadServerConfig } from "../config/index.js";
import { applyMigrations, createDatabaseClient, type PrismaClient } from "../db/index.js";
import { runsWithPendingGate } from "../engine/index.js";
import { DevflowError, isDevflowError } from "../errors/index.js";
import { builtinTemplatesDir, loadRegistry, storeRegistry } from "../registry/index.js";
import { createLogger } from "../server/index.js";
import { actionHostId, startActionEngine } from "./action-engine.js";
import { type ActionEnvironment, readActionEnvironment, readActionInputs } from "./action-inputs.js";
import { type DrainResult, drainEffects } from "./drain-effects.js";
import { appendJobSummary, PULLS_SETTING_HINT, type RunSummary, renderJobSummary } from "./job-summary.js";
import { longestPhaseSeconds, phaseBudgetSeconds, phaseTimeoutFor } from "./phase-budget.js";
import { createTokenProbot, deliveryIdOf, type ReceivedEvent, receiveEvent } from "./receive-event.js";
import { withoutCheckRunButtons } from "./workflow-token-checks.js";

/** The events the example workflow subscribes to; any other event only continues unfinished work. */
export const HANDLED_EVENTS = ["issues", "issue_comment", "pull_request_review", "check_run", "pull_request"];

/** How long the job keeps retrying GitHub updates that failed at first. */
const EFFECTS_BUDGET_MS = 60_000;

type Env = Record<string, string | undefined>;

export async function runAction(env: Env, print: (line: string) => void): Promise<void> {
  const actionEnv = readActionEnvironment(env);
  const inputs = readActionInputs(env, actionEnv.workspace);
  const config = withInputs(loadServerConfig(inputs.configPath), inputs);
  const event = readEvent(actionEnv);
  mkdirSync(actionEnv.dataDir, { recursive: true });
  const logger = createLogger(actionEnv.debug ? "debug" : "warn", process.stderr);

  const applied = await applyMigrations({ connectionString: inputs.databaseUrl }).catch((error) => {
    if (!isDevflowError(error, "database_unreachable")) throw error;
    throw new DevflowError(error.message, {
      code: "database_unreachable",
      recoveryHint:
        "Check the database-url secret, and that its Postgres accepts connections from the runner (GitHub-hosted runners connect from the internet; a self-hosted runner can reach a private network).",
      cause: error,
    });
  });
  print(applied.length > 0 ? `database migrated: ${applied.join(", ")}` : "database schema up to date");
  const database = createDatabaseClient(inputs.databaseUrl, {
    maxConnections: 5,
    applicationName: "devflow-action",
  });
  let received: ReceivedEvent = { outcome: "not handled", duplicate: false };
  let effects: DrainResult | undefined;
  let touched: string[] = [];
  try {
    const registry = await loadRegistry(builtinTemplatesDir());
    await storeRegistry(database.prisma, registry, { source: "builtin" });
    const probot = createTokenProbot(inputs.githubToken, actionEnv.apiUrl, logger);
    const octokit = await probot.auth();
    if (inputs.tokenKind === "workflow") withoutCheckRunButtons(octokit);
    const phaseTimeoutSeconds = phaseTimeoutFor(
      config.engine.phaseTimeoutSeconds,
      longestPhaseSeconds(registry),
      phaseBudgetSeconds(inputs),
    );
    if (phaseTimeoutSeconds !== undefined)
      print(`each phase may take up to ${phaseTimeoutSeconds} s in this job`);
    const engine = await startActionEngine({
      prisma: database.prisma,
      connectionString: inputs.databaseUrl,
      registry,
      config,
      agent: config.defaultAgent,
      ...(phaseTimeoutSeconds !== undefined ? { phaseTimeoutSeconds } : {}),
      dataDir: actionEnv.dataDir,
      hostId: actionHostId(actionEnv),
      gitAuthHeader: `AUTHORIZATION: basic ${Buffer.from(`x-access-token:${inputs.githubToken}`).toString("base64")}`,
      log: logger,
    });
    try {
      if (HANDLED_EVENTS.includes(actionEnv.eventName)) {
        const deps = { prisma: database.prisma, engine: engine.engine, serverConfig: config, log: logger };
        received = await receiveEvent(probot, deps, {
          name: actionEnv.eventName,
          id: event.deliveryId,
          payload: event.payload,
        });
      } else {
        received = { outcome: `devflow does not act on ${actionEnv.eventName} events`, duplicate: false };
      }
      print(`event ${eventLabel(actionEnv, event.payload)}: ${received.outcome}`);
      // Runs a job before this one left mid-phase (its runner died) continue here, after the event's own.
      await engine.queueUnfinished(actionEnv.repository);
      const outcomes = await engine.advanceQueued();
      touched = [...engine.queue.touched];
      for (const [runId, outcome] of outcomes)
        print(
          outcome === "next_job"
            ? `run ${runId}: this job ran its one phase; the next devflow job (an event or the schedule) continues it`
            : `run ${runId}: ${outcome}`,
        );
    } finally {
      // Whatever happened, GitHub hears what was decided (replies, refusals, the run's state).
      effects = await drainEffects({
        prisma: database.prisma,
        octokit,
        repository: actionEnv.repository,
        log: logger,
        budgetMs: EFFECTS_BUDGET_MS,
      }).catch((error) => {
        logger.warn({ err: (error as Error).message }, "delivering GitHub updates failed");
        return undefined;
      });
      if (effects) print(`GitHub updates: ${effects.delivered} delivered, ${effects.pending} pending`);
      if (effects?.pullRequestsRefused) print(`::warning title=devflow::${PULLS_SETTING_HINT}`);
      if (effects?.pending)
        print(
          `::warning title=devflow::${effects.pending} GitHub updates are still pending; the repository's next devflow job delivers them.`,
        );
      await engine.stop();
    }
    const runs = await summarizeRuns(database.prisma, touched);
    for (const run of runs)
      print(`run ${run.id} is ${run.state}${run.waitingFor ? ` (${run.waitingFor})` : ""}`);
    await appendJobSummary(
      actionEnv.summaryPath,
      renderJobSummary({
        event: eventLabel(actionEnv, event.payload),
        deliveryId: event.deliveryId,
        outcome: received.outcome,
        runs,
        ...(effects ? { effects } : {}),
      }),
    );
  } finally {
    await database.close();
  }
}

/** The inputs override the config file's label and default agent. */
function withInputs(config: ServerConfig, inputs: { agent?: string; label?: string }): ServerConfig {
  if (inputs.agent && !(inputs.agent in config.agents)) {
    throw new DevflowError(
      `The agent input names "${inputs.agent}", which the server config does not define (defined: ${Object.keys(config.agents).join(", ")}).`,
      {
        code: "action_input_invalid",
        recoveryHint:
          "Name one of the agents defined under `agents:` in the file given as the config input, or add it there.",
      },
    );
  }
  return {
    ...config,
    ...(inputs.agent ? { defaultAgent: inputs.agent } : {}),
    ...(inputs.label ? { label: inputs.label } : {}),
  };
}

function readEvent(env: ActionEnvironment): { payload: Record<string, unknown>; deliveryId: string } {
  let raw: Buffer;
  let payload: unknown;
  try {
    raw = readFileSync(env.eventPath);
    payload = JSON.parse(raw.toString("utf8"));
  } catch (error) {
    throw new DevflowError(
      `The event payload at GITHUB_EVENT_PATH could not be read as JSON: ${(error as Error).message}`,
      { code: "action_environment_invalid" },
    );
  }
  if (typeof payload !== "object" || payload === null || Array.isArray(payload)) {
    throw new DevflowError("The event payload at GITHUB_EVENT_PATH is not a JSON object.", {
      code: "action_environment_invalid",
    });
  }
  return { payload: payload as Record<string, unknown>, deliveryId: deliveryIdOf(env.eventName, raw) };
}

function eventLabel(env: ActionEnvironment, payload: Record<string, unknown>): string {
  return typeof payload.action === "string" ? `${env.eventName}.${payload.action}` : env.eventName;
}

async function summarizeRuns(prisma: PrismaClient, runIds: string[]): Promise<RunSummary[]> {
  const runs = await runsWithPendingGate(prisma, runIds);
  return runs.map((run) => ({
    id: run.id,
    issueNumber: run.issueNumber,
    pullRequestNumber: run.pullRequestNumber,
    state: run.state,
    ...(run.waitingFor ? { waitingFor: run.waitingFor } : {}),
    failureReason: run.failureReason,
  }));
}
