// A repository's `.github/devflow.yml`, read from the default branch only (Probot's context.config)
// and validated: a bad file gets one comment naming the key, the problem and the fix, and no run starts.
// A repository may choose among the operator's agents per role; it can never define a command.
import { z } from "zod";
import { DevflowError } from "../errors/index.js";
import { didYouMean } from "../registry/index.js";
import {
  BUDGET_DIMENSIONS,
  type BudgetConfig,
  budgetOverridesSchema,
  overridesAboveServer,
} from "./budgets.js";
import { describeYamlError } from "./yaml-syntax-error.js";

const permission = z.enum(["read", "triage", "write", "maintain", "admin"]);
export type PermissionLevel = z.output<typeof permission>;

export const repositoryConfigSchema = z.strictObject({
  /** The label that starts a run (default: the server's label). */
  label: z.string().min(1).max(50).optional(),
  /** Template for runs started by the label, `name` or `name@version`. */
  template: z
    .string()
    .regex(/^[a-z][a-z0-9_-]*(@\d+)?$/, "must be a template name such as development or development@1")
    .optional(),
  /** Gate keys that stop for a human; default: the template's. */
  gates: z
    .array(z.string().regex(/^[a-z][a-z0-9_]*$/, "must be a gate key such as spec_approved"))
    .optional(),
  /** Abort the run when the issue or its PR is closed. */
  abortOnClose: z.boolean().default(true),
  /** Abort the run when the trigger label is removed. */
  abortOnUnlabel: z.boolean().default(false),
  approvers: z
    .strictObject({
      /** Lowest collaborator permission that may decide (default write). */
      minPermission: permission.default("write"),
      /** If set, only these users (and members of `teams`) may decide, on top of the permission check. */
      users: z.array(z.string().min(1)).optional(),
      /** Team slugs (`org/team` or `team`) whose members may decide. */
      teams: z.array(z.string().min(1)).optional(),
      /** May the issue's author decide on the run it triggered (default yes, for writers). */
      allowIssueAuthor: z.boolean().default(true),
    })
    .default({ minPermission: "write", allowIssueAuthor: true }),
  /** Per role, one of the operator's agents (by name), e.g. `{ implementer: codex, reviewer: claude }`. */
  agents: z
    .record(z.string().regex(/^[a-z][a-z0-9_]*$/, "must be a role id such as implementer"), z.string().min(1))
    .optional(),
  /** Lower budgets than the server's, per run and per phase (never higher: see budgets.ts). */
  budgets: budgetOverridesSchema.optional(),
});

export type RepositoryConfig = z.output<typeof repositoryConfigSchema>;

export interface RepositoryConfigContext {
  /** The operator's agent names: a role may only pick one of these. */
  operatorAgents: readonly string[];
  /** The server's budgets: a repository's may only be lower. */
  serverBudgets?: BudgetConfig;
}

/** What each key takes, said as the fix for a problem with it. */
const KEY_FIX: Record<string, string> = {
  label: "set it to a label name, e.g. `label: devflow`",
  template: "set it to a template name, e.g. `template: development` or `template: development@1`",
  gates: "set it to a list of gate keys, e.g. `gates: [spec_approved]`",
  abortOnClose: "set it to `true` or `false`",
  abortOnUnlabel: "set it to `true` or `false`",
  approvers:
    "set it to a map, e.g. `approvers: { minPermission: write, users: [alice], teams: [org/reviewers] }`",
  "approvers.minPermission": "set it to one of read, triage, write, maintain, admin",
  "approvers.users": "set it to a list of GitHub logins, e.g. `users: [alice, bob]`",
  "approvers.teams": "set it to a list of team slugs, e.g. `teams: [org/reviewers]`",
  "approvers.allowIssueAuthor": "set it to `true` or `false`",
  agents: "set it to a map of role id to one of this server's agents, e.g. `agents: { implementer: codex }`",
  budgets: "set it to lower limits, e.g. `budgets: { run: { costUsd: 5 }, phase: { tokens: 2000000 } }`",
  "budgets.run": "set it to a map of limits: tokens, costUsd, wallTimeMinutes, attempts",
  "budgets.phase": "set it to a map of limits: tokens, costUsd, wallTimeMinutes, attempts",
};

function keyOf(path: readonly PropertyKey[]): string {
  return path
    .filter((part) => typeof part !== "number")
    .map(String)
    .join(".");
}

function settingsAt(shape: z.ZodRawShape): string {
  return Object.keys(shape).join(", ");
}

/** One line per problem: the key, what is wrong with it, and how to fix it. */
function describeIssue(issue: z.core.$ZodIssue): string[] {
  if (issue.code === "unrecognized_keys") {
    const parent = keyOf(issue.path);
    const known =
      parent === "approvers"
        ? settingsAt(repositoryConfigSchema.shape.approvers.unwrap().shape)
        : parent === "budgets"
          ? "run, phase"
          : parent.startsWith("budgets.")
            ? BUDGET_DIMENSIONS.join(", ")
            : settingsAt(repositoryConfigSchema.shape);
    return issue.keys.map(
      (key) =>
        `\`${parent ? `${parent}.` : ""}${key}\`: not a devflow setting${didYouMean(key, known.split(", "))}. Fix: remove it or correct its spelling; the settings${parent ? ` under \`${parent}\`` : ""} are ${known}.`,
    );
  }
  const key = keyOf(issue.path);
  if (!key) {
    return [
      `the file: ${issue.message}. Fix: write a YAML map of settings, e.g. \`label: devflow\` (the settings are ${settingsAt(repositoryConfigSchema.shape)}).`,
    ];
  }
  const where = issue.path.map(String).join(".");
  const fix = KEY_FIX[key] ?? KEY_FIX[key.split(".")[0] ?? ""] ?? "see the README's repository config";
  return [`\`${where}\`: ${issue.message}. Fix: ${fix}.`];
}

/** Validates the parsed file (Probot hands us `{}` for a file holding only comments). */
export function parseRepositoryConfig(raw: unknown, context: RepositoryConfigContext): RepositoryConfig {
  const result = repositoryConfigSchema.safeParse(raw ?? {});
  const problems = result.success ? [] : result.error.issues.flatMap(describeIssue);
  if (result.success && result.data.budgets && context.serverBudgets) {
    problems.push(...overridesAboveServer(result.data.budgets, context.serverBudgets));
  }
  if (result.success) {
    for (const [role, agent] of Object.entries(result.data.agents ?? {})) {
      if (!context.operatorAgents.includes(agent)) {
        problems.push(
          `\`agents.${role}\`: "${agent}" is not an agent of this devflow server (it has: ${context.operatorAgents.join(", ") || "none"}); a repository can choose among them but never define one. Fix: name one of those agents, or ask the operator to add it.`,
        );
      }
    }
  }
  if (problems.length > 0) throw invalidRepositoryConfig(problems);
  return result.data as RepositoryConfig;
}

export function invalidRepositoryConfig(problems: string[]): DevflowError {
  return new DevflowError(`.github/devflow.yml is not valid:\n${problems.map((p) => `- ${p}`).join("\n")}`, {
    code: "invalid_repository_config",
    details: { problems },
  });
}

/**
 * The file could not be read as YAML (Probot's config plugin throws a plain Error whose cause is the
 * YAML parser's, with the line and column): the same error as a bad key, so the same one comment.
 */
function yamlProblemText(cause: unknown): string {
  const problem = describeYamlError(cause, "");
  return problem.line === undefined
    ? problem.what
    : `${problem.what}, at line ${problem.line}, column ${problem.column}`;
}

export function unreadableRepositoryConfig(error: unknown): DevflowError | undefined {
  const message = (error as Error | undefined)?.message ?? "";
  if (!message.startsWith("[@probot/octokit-plugin-config]") || !/could not be parsed/.test(message))
    return undefined;
  const cause = (error as { cause?: unknown }).cause;
  const what = /not an object/.test(message)
    ? "it holds a single value, not a map of settings"
    : `it is not valid YAML${cause ? ` (${yamlProblemText(cause)})` : ""}`;
  return invalidRepositoryConfig([
    `the file: ${what}. Fix: write a YAML map of settings, e.g. \`label: devflow\` (the settings are ${settingsAt(repositoryConfigSchema.shape)}).`,
  ]);
}
