// The agents of the operator's server config (server-config.ts): the fake agent, a preset for a known
// CLI, or any command — each validated with messages that name what was found and what is allowed.
import { z } from "zod";
import { homeSeedSchema } from "./agent-home.js";
import { AGENT_MODES, CLI_PRESETS, PROMPT_VIA } from "./agent-kinds.js";
import { parseAllowEntry } from "./egress-allowlist.js";
import { passThroughProblem } from "./pass-through.js";
import { agentLimitsSchema } from "./sandbox-limits-schema.js";
import { SANDBOX_KINDS } from "./sandbox-settings.js";

export const agentName = z
  .string()
  .regex(/^[a-z][a-z0-9_-]{0,39}$/, "a lowercase name such as claude or my-agent");

const fakeAgent = z.strictObject({
  preset: z.literal("fake"),
  /** How long the fake agent "works" before writing its artifact. */
  writeDelayMs: z.int().min(0).max(600_000).default(50),
});

/** "found …; allowed: …" for a value outside `allowed`. */
export function oneOf(allowed: readonly string[]) {
  return (issue: { input?: unknown }) =>
    `found ${issue.input === undefined ? "nothing" : JSON.stringify(issue.input)}; allowed: ${allowed.join(", ")}`;
}

const variableName = z.string().superRefine((name, ctx) => {
  const problem = passThroughProblem(name);
  if (problem !== undefined) ctx.addIssue({ code: "custom", message: `found "${name}", which ${problem}` });
});

/** How the agent runs: a headless process per prompt (exec) or an interactive TUI in a tmux pane. */
const mode = z.enum(AGENT_MODES, { error: oneOf(AGENT_MODES) }).default("exec");
/** Variables copied from devflow's environment into the agent's (its API key), besides the preset's own. */
const passThrough = z.array(variableName).max(50).optional();

/**
 * `bubblewrap` (default): the agent runs in devflow's sandbox. `none`: it runs as devflow's own user,
 * seeing devflow's data directory, its processes free to outlive the phase — an explicit choice,
 * warned about at start-up, in `devflow doctor` and in the report of every run that used it.
 */
const sandbox = z.enum(SANDBOX_KINDS, { error: oneOf(SANDBOX_KINDS) }).default("bubblewrap");
const allowEntry = z.string().superRefine((text, ctx) => {
  const entry = parseAllowEntry(text);
  if (typeof entry === "string") ctx.addIssue({ code: "custom", message: `found "${text}", which ${entry}` });
});
/**
 * What the sandboxed agent may reach: `none`, or `{ allow: [host, host:port, …] }` through devflow's
 * egress proxy. Left out: the preset's model API (claude: api.anthropic.com, …); `command`: none.
 */
const network = z
  .union([z.literal("none"), z.strictObject({ allow: z.array(allowEntry).min(1).max(100) })], {
    error: (issue) =>
      `found ${JSON.stringify(issue.input)}; allowed: none, or { allow: [host or host:port, …] }`,
  })
  .optional();

/** What every CLI or command agent may set. */
const agentFields = {
  mode,
  passThrough,
  sandbox,
  network,
  /** Files put into each new session HOME (see agent-home.ts). */
  home: homeSeedSchema,
  /** This agent's own sandbox limits, over `sandbox.limits` and its preset's needs. */
  limits: agentLimitsSchema,
};

const cliAgent = z.strictObject({
  preset: z.enum(CLI_PRESETS),
  ...agentFields,
  /** Appended to the preset's argv (e.g. --model). */
  extraArgs: z.array(z.string()).max(50).optional(),
});

const readyPattern = z
  .string()
  .min(1, "found an empty pattern; allowed: a regular expression, e.g. 'Ready for a prompt'")
  .superRefine((source, ctx) => {
    try {
      new RegExp(source);
    } catch (error) {
      ctx.addIssue({
        code: "custom",
        message: `found "${source}", not a regular expression: ${(error as Error).message}`,
      });
    }
  });

const commandAgent = z
  .strictObject({
    preset: z.literal("command"),
    command: z
      .array(z.string().min(1, "found an empty argument; allowed: a non-empty string"), {
        error: "required: the program and its arguments, e.g. [./agent.sh, --verbose]",
      })
      .min(1, "found []; allowed: the program and its arguments, e.g. [./agent.sh, --verbose]"),
    ...agentFields,
    /** How the prompt reaches an exec command (default stdin); a tmux agent's prompt is pasted. */
    promptVia: z.enum(PROMPT_VIA, { error: oneOf(PROMPT_VIA) }).optional(),
    /**
     * Mode tmux: a regular expression the TUI's screen matches once it waits for a prompt. Nothing is
     * pasted before (a TUI that has not turned bracketed paste on yet takes each pasted line as a prompt
     * of its own); without it devflow pastes as soon as the command started.
     */
    readyPattern: readyPattern.optional(),
  })
  .superRefine((agent, ctx) => {
    if (agent.promptVia !== undefined && agent.mode === "tmux") {
      ctx.addIssue({
        code: "custom",
        path: ["promptVia"],
        message: `found "${agent.promptVia}" with mode tmux; promptVia applies to mode exec only (a tmux agent's prompt is pasted into its pane)`,
      });
    }
    if (agent.readyPattern !== undefined && agent.mode !== "tmux") {
      ctx.addIssue({
        code: "custom",
        path: ["readyPattern"],
        message: `found "${agent.readyPattern}" with mode ${agent.mode}; readyPattern applies to mode tmux only (an exec agent gets its prompt when it starts)`,
      });
    }
  });

const PRESET_NAMES = ["fake", ...CLI_PRESETS, "command"] as const;

/** The agents an operator may define: the fake agent, a preset for a known CLI, or any command. */
export const agent = z.discriminatedUnion("preset", [fakeAgent, cliAgent, commandAgent], {
  error: (issue) =>
    issue.code === "invalid_union"
      ? oneOf(PRESET_NAMES)({ input: (issue.input as { preset?: unknown } | undefined)?.preset })
      : undefined,
});
