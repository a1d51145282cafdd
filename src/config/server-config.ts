// The operator's server config file (DEVFLOW_CONFIG, YAML or JSON): the agents this server may run, the
// trigger label and engine limits. Validated with messages that name the key, what was found and what
// is allowed — the model is Renovate's config validation.
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { z } from "zod";
import { DevflowError } from "../errors/index.js";
import { didYouMean } from "../registry/index.js";
import { agent, agentName } from "./agent-schema.js";
import { budgetsSchema } from "./budgets.js";
import { inputLimitsSchema } from "./input-limits.js";
import { modelPricesSchema } from "./model-prices.js";
import { sandboxLimitsSchema } from "./sandbox-limits-schema.js";
import { DEFAULT_SANDBOX, DEFAULT_SANDBOX_LIMITS } from "./sandbox-settings.js";
import { describeYamlError } from "./yaml-syntax-error.js";

const uidOrGid = z
  .int()
  .min(1, "found 0 (root); allowed: an unprivileged id such as 65534")
  .max(4_294_967_294);
const absolutePath = z.string().regex(/^\/./, "an absolute path such as /opt/my-agent");

/** Shared by every sandboxed agent (see src/sessions/sandbox.ts). */
const sandboxConfig = z
  .strictObject({
    /** The uid and gid agents run as when devflow runs as root. */
    uid: uidOrGid.default(DEFAULT_SANDBOX.uid),
    gid: uidOrGid.default(DEFAULT_SANDBOX.gid),
    /** Host paths agents may read besides the system (where an agent CLI is installed, say). */
    readOnlyPaths: z.array(absolutePath).max(50).default([]),
    limits: sandboxLimitsSchema,
  })
  .default({
    uid: DEFAULT_SANDBOX.uid,
    gid: DEFAULT_SANDBOX.gid,
    readOnlyPaths: [],
    limits: DEFAULT_SANDBOX_LIMITS,
  });

export const serverConfigSchema = z
  .strictObject({
    agents: z.record(agentName, agent).default({ fake: { preset: "fake", writeDelayMs: 50 } }),
    defaultAgent: agentName.default("fake"),
    /** The issue label that starts a run. */
    label: z.string().min(1).max(50).default("devflow"),
    /** Commands from GitHub comments and reviews. */
    commands: z
      .strictObject({
        /** Only the first N commands of one comment or review are read; the reply says the rest were ignored. */
        maxPerComment: z.int().min(1).max(50).default(10),
      })
      .default({ maxPerComment: 10 }),
    maxConcurrentRuns: z.int().min(1).max(256).default(4),
    sandbox: sandboxConfig,
    /**
     * USD per million tokens by model (`input`, `output`, cache rates), for CLIs that report tokens
     * but no cost (Codex, Gemini, usage files). See src/sessions/streams/model-prices.ts.
     */
    prices: modelPricesSchema.optional(),
    engine: z
      .strictObject({
        /** Overrides every template's phase timeout (demos, tests). */
        phaseTimeoutSeconds: z.number().positive().optional(),
        reconcileEverySeconds: z.number().positive().default(30),
        shutdownDrainSeconds: z.number().min(0).default(30),
      })
      .default({ reconcileEverySeconds: 30, shutdownDrainSeconds: 30 }),
    /**
     * Limits per run and per phase (tokens, USD, agent wall time, attempts) and what an Approve at the
     * `budget_exceeded` gate raises them by; each has a default (see budgets.ts).
     */
    budgets: budgetsSchema,
    /** What devflow shows on GitHub. */
    github: z
      .strictObject({
        /**
         * A run's passing state (queued, preparing, a phase working) is shown on GitHub once it has
         * lasted this many seconds; a shorter one is skipped. Gates, final reports and replies go at once.
         */
        settleSeconds: z.number().min(0).max(3600).default(10),
      })
      .default({ settleSeconds: 10 }),
    /** Caps on what agents hand devflow (see input-limits.ts); each has a default. */
    limits: inputLimitsSchema,
    /** Transcripts in Postgres: the agent's output is stored in chunks of at most this many bytes. */
    transcriptChunkBytes: z
      .int()
      .min(1024)
      .max(16 * 1024 * 1024)
      .default(64 * 1024),
    /** Who may open the operators' pages (Bull Board at /admin/queues), besides the GitHub App's owner. */
    dashboard: z
      .strictObject({
        admins: z
          .array(z.string().regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/, "a GitHub login such as octocat"))
          .max(100)
          .default([]),
      })
      .default({ admins: [] }),
    /** How long transcripts and reports of finished runs stay in Postgres (days; 0 keeps them forever). */
    retention: z
      .strictObject({
        transcriptDays: z.int().min(0).max(36_500).default(90),
        reportDays: z.int().min(0).max(36_500).default(0),
      })
      .default({ transcriptDays: 90, reportDays: 0 }),
  })
  .superRefine((config, ctx) => {
    if (!(config.defaultAgent in config.agents)) {
      ctx.addIssue({
        code: "custom",
        path: ["defaultAgent"],
        message: `names no agent defined under "agents" (defined: ${Object.keys(config.agents).join(", ") || "none"})`,
      });
    }
  });

export type ServerConfig = z.output<typeof serverConfigSchema>;
export type AgentConfig = ServerConfig["agents"][string];
export type SandboxConfig = ServerConfig["sandbox"];

/** The agents the operator runs without a sandbox (`sandbox: none`). */
export function unsandboxedAgents(config: ServerConfig): string[] {
  return Object.entries(config.agents)
    .filter(([, agent]) => agent.preset !== "fake" && agent.sandbox === "none")
    .map(([name]) => name);
}

function pathOf(path: readonly PropertyKey[]): string {
  return path.length === 0 ? "(top level)" : path.map(String).join(".");
}

/** The settings a map in the config may hold, by its dotted path: for "did you mean". */
function settingsUnder(path: readonly PropertyKey[]): string[] {
  if (path.length === 0) return Object.keys(serverConfigSchema.shape);
  if (path.length === 1 && path[0] === "engine")
    return Object.keys(serverConfigSchema.shape.engine.unwrap().shape);
  if (path.length === 1 && path[0] === "budgets")
    return Object.keys(serverConfigSchema.shape.budgets.unwrap().shape);
  if (path.length === 2 && path[0] === "budgets") return ["tokens", "costUsd", "wallTimeMinutes", "attempts"];
  if (path.length === 1 && path[0] === "github")
    return Object.keys(serverConfigSchema.shape.github.unwrap().shape);
  return [];
}

/** zod's words, except for an unknown key: which key, the one probably meant, and the ones allowed. */
function describeIssue(issue: z.core.$ZodIssue): string {
  const known = issue.code === "unrecognized_keys" ? settingsUnder(issue.path) : [];
  if (issue.code !== "unrecognized_keys" || known.length === 0)
    return `${pathOf(issue.path)}: ${issue.message}`;
  const parent = issue.path.length > 0 ? `${pathOf(issue.path)}.` : "";
  return issue.keys
    .map((key) => {
      const under = parent ? ` under ${parent.slice(0, -1)}` : "";
      return `${parent}${key}: not a setting${didYouMean(key, known)}; the settings${under} are ${known.join(", ")}`;
    })
    .join("\n- ");
}

/** Parses and validates a config text; `source` names the file in messages. */
export function parseServerConfig(text: string, source: string): ServerConfig {
  let raw: unknown;
  try {
    raw = parse(text) ?? {};
  } catch (error) {
    const problem = describeYamlError(error, text);
    throw new DevflowError(
      `${source} is not valid YAML or JSON: ${problem.summary}.${problem.excerpt ? `\n${problem.excerpt}` : ""}`,
      {
        code: "invalid_server_config",
        cause: error,
        recoveryHint: `Fix the YAML at ${problem.line ? `line ${problem.line}` : "the place named"} (close every { and [, indent nested keys, quote values holding ": " or "#"), then start devflow again.`,
        details: { line: problem.line, column: problem.column, key: problem.key },
      },
    );
  }
  const result = serverConfigSchema.safeParse(raw);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `- ${describeIssue(issue)}`);
  throw new DevflowError(`${source} is not a valid devflow server config:\n${problems.join("\n")}`, {
    code: "invalid_server_config",
    details: {
      problems: result.error.issues.map((issue) => ({
        path: pathOf(issue.path),
        message: describeIssue(issue),
      })),
    },
  });
}

/** The config at `path`, or the defaults when no file is configured. */
export function loadServerConfig(path: string | undefined): ServerConfig {
  if (!path) return serverConfigSchema.parse({});
  return parseServerConfig(readFileSync(path, "utf8"), path);
}
