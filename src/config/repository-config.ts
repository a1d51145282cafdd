// A repository's `.github/devflow.yml`, read from the default branch only (Probot's context.config)
// and validated: a bad file gets one comment naming the key, the problem and the fix, and no run starts.
// A repository may choose among the operator's agents per role; it can never define a command.
import { z } from "zod";
import { DevflowError } from "../errors/index.js";

const permission = z.enum(["read", "triage", "write", "maintain", "admin"]);
export type PermissionLevel = z.output<typeof permission>;

export const repositoryConfigSchema = z.strictObject({
  /** The label that starts a run (default: the server's label). */
  label: z.string().min(1).max(50).optional(),
  /** Template for runs started by the label, `name` or `name@version`. */
  template: z
    .string()
    .regex(/^[a-z][a-z0-9_-]*(@\d+)?$/, "a template such as development or development@1")
    .optional(),
  /** Gate keys that stop for a human; default: the template's. */
  gates: z.array(z.string().regex(/^[a-z][a-z0-9_]*$/, "a gate key such as spec_approved")).optional(),
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
    .record(z.string().regex(/^[a-z][a-z0-9_]*$/, "a role id such as implementer"), z.string().min(1))
    .optional(),
});

export type RepositoryConfig = z.output<typeof repositoryConfigSchema>;

export interface RepositoryConfigContext {
  /** The operator's agent names: a role may only pick one of these. */
  operatorAgents: readonly string[];
}

function pathOf(path: readonly PropertyKey[]): string {
  return path.length === 0 ? "(top level)" : path.map(String).join(".");
}

/** Validates the parsed file (Probot hands us `{}` for a file holding only comments). */
export function parseRepositoryConfig(raw: unknown, context: RepositoryConfigContext): RepositoryConfig {
  const result = repositoryConfigSchema.safeParse(raw ?? {});
  const problems = result.success
    ? []
    : result.error.issues.map((issue) => `\`${pathOf(issue.path)}\`: ${issue.message}`);
  if (result.success) {
    for (const [role, agent] of Object.entries(result.data.agents ?? {})) {
      if (!context.operatorAgents.includes(agent)) {
        problems.push(
          `\`agents.${role}\`: "${agent}" is not an agent of this devflow server (it has: ${context.operatorAgents.join(", ") || "none"}); a repository can choose among them but never define one`,
        );
      }
    }
  }
  if (problems.length > 0) {
    throw new DevflowError(`.github/devflow.yml is not valid:\n${problems.map((p) => `- ${p}`).join("\n")}`, {
      code: "invalid_repository_config",
      details: { problems },
    });
  }
  return result.data as RepositoryConfig;
}
