// Checks a start request before anything is written: a bad request changes nothing and says what to fix.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { isAbsolute } from "node:path";
import { promisify } from "node:util";
import { type BudgetOverrides, budgetOverridesSchema } from "../config/index.js";
import type { PrismaClient } from "../db/index.js";
import { DevflowError } from "../errors/index.js";
import { readDefinition } from "./template-plan.js";

const run = promisify(execFile);

export interface StartRunInput {
  /** Optional: starting the same id again returns the existing run. */
  runId?: string;
  /** `owner/name` on GitHub, or the absolute path of a local git repository. */
  repository: string;
  /** Where to clone from; defaults to `repository` for a local path. */
  cloneUrl?: string;
  baseBranch: string;
  /** What to build, in Markdown (an issue body, a requirements file). */
  requirements: string;
  title?: string;
  /** `name` (highest version) or `name@version`; default `development`. */
  template?: string;
  issueNumber?: number;
  installationId?: bigint;
  /** Gate keys that stop for a human; default the template's defaultGates. */
  gates?: string[];
  /** Fake-agent scenarios per phase (tests and demos). */
  scenarios?: Record<string, string | string[]>;
  /**
   * Per role id, one of the operator's agents (a repository's `.github/devflow.yml` `agents`, checked
   * against the operator's list there); roles not named get their template default.
   */
  agents?: Record<string, string>;
  /**
   * Lower limits than the server's (a repository's `.github/devflow.yml` `budgets`, checked against the
   * server's there), fixed on the run when it starts.
   */
  budgets?: BudgetOverrides;
}

function invalid(message: string, hint?: string): DevflowError {
  return new DevflowError(message, { code: "run_input_invalid", ...(hint ? { recoveryHint: hint } : {}) });
}

async function findTemplate(prisma: PrismaClient, ref: string) {
  const [name, versionText] = ref.split("@");
  const version = versionText === undefined ? undefined : Number(versionText);
  const template = await prisma.workflowTemplate.findFirst({
    where: { name, ...(version !== undefined ? { version } : {}) },
    orderBy: { version: "desc" },
  });
  if (!template) {
    const known = await prisma.workflowTemplate.findMany({
      select: { name: true, version: true },
      orderBy: { name: "asc" },
    });
    throw new DevflowError(
      `No workflow template "${ref}". Loaded: ${known.map((t) => `${t.name}@${t.version}`).join(", ") || "none"}.`,
      { code: "template_not_found", details: { template: ref } },
    );
  }
  return template;
}

async function checkLocalRepository(path: string, baseBranch: string): Promise<void> {
  if (!existsSync(path)) {
    throw new DevflowError(`No repository at ${path}.`, {
      code: "repository_not_found",
      recoveryHint: "Pass the path of an existing git repository (or its owner/name on GitHub).",
    });
  }
  try {
    await run("git", ["-C", path, "rev-parse", "--git-dir"], {
      env: { ...process.env, GIT_TERMINAL_PROMPT: "0" },
    });
  } catch {
    throw new DevflowError(`${path} is not a git repository.`, {
      code: "repository_not_found",
      recoveryHint: "Run `git init` there, or pass the path of an existing git repository.",
    });
  }
  try {
    await run("git", ["-C", path, "rev-parse", "--verify", "--quiet", `refs/heads/${baseBranch}^{commit}`]);
  } catch {
    const { stdout } = await run("git", [
      "-C",
      path,
      "for-each-ref",
      "--format=%(refname:short)",
      "refs/heads",
    ]).catch(() => ({ stdout: "" }));
    const branches = stdout.split("\n").filter(Boolean).slice(0, 10);
    throw new DevflowError(
      `The repository ${path} has no branch "${baseBranch}"${branches.length ? ` (it has: ${branches.join(", ")})` : ""}.`,
      {
        code: "base_branch_not_found",
        details: { baseBranch, branches },
      },
    );
  }
}

function checkAgentChoices(
  agents: StartRunInput["agents"],
  definition: { name: string; version: number; roles: { id: string }[] },
): void {
  if (agents === undefined) return;
  const roles = definition.roles.map((role) => role.id);
  if (typeof agents !== "object" || agents === null || Array.isArray(agents)) {
    throw invalid("agents must map role ids to agent names.", `Roles of this template: ${roles.join(", ")}.`);
  }
  for (const [role, agent] of Object.entries(agents)) {
    if (!roles.includes(role)) {
      throw invalid(
        `The template ${definition.name}@${definition.version} has no role "${role}" to choose an agent for.`,
        `Use one of: ${roles.join(", ")}.`,
      );
    }
    if (typeof agent !== "string" || agent.trim() === "") {
      throw invalid(
        `The agent chosen for role "${role}" is not a name.`,
        "Name one of the operator's agents.",
      );
    }
  }
}

export async function validateStartRun(prisma: PrismaClient, input: StartRunInput) {
  if (!input.requirements?.trim())
    throw invalid(
      "The run has no requirements.",
      "Describe what to build (an issue body or a requirements file).",
    );
  if (!input.repository?.trim())
    throw invalid("The run names no repository.", "Give the repository as owner/name or a local path.");
  if (!input.baseBranch?.trim() || /[\s~^:?*[\\]|\.\.|^-|\/$|\.lock$/.test(input.baseBranch)) {
    throw invalid(
      `"${input.baseBranch ?? ""}" is not a valid base branch name.`,
      "Name an existing branch, e.g. main.",
    );
  }
  if (input.scenarios !== undefined) {
    const ok =
      typeof input.scenarios === "object" &&
      !Array.isArray(input.scenarios) &&
      Object.values(input.scenarios).every(
        (v) => typeof v === "string" || (Array.isArray(v) && v.every((s) => typeof s === "string")),
      );
    if (!ok) throw invalid("scenarios must map phase keys to a scenario name or a list of names.");
  }
  const template = await findTemplate(prisma, input.template ?? "development");
  const definition = readDefinition(template.definition);
  const gates = input.gates ?? definition.defaultGates;
  const unknownGates = gates.filter((gate) => !definition.gates.some((known) => known.key === gate));
  if (unknownGates.length > 0) {
    throw invalid(
      `The template ${template.name}@${template.version} has no gate ${unknownGates.join(", ")}.`,
      `Use one of: ${definition.gates.map((g) => g.key).join(", ") || "(none)"}.`,
    );
  }
  checkAgentChoices(input.agents, definition);
  if (input.budgets !== undefined && !budgetOverridesSchema.safeParse(input.budgets).success) {
    throw invalid(
      "budgets must hold positive limits under run and phase (tokens, costUsd, wallTimeMinutes, attempts).",
    );
  }
  const isLocal = isAbsolute(input.repository);
  if (isLocal) await checkLocalRepository(input.repository, input.baseBranch);
  else if (!input.cloneUrl && !/^[\w.-]+\/[\w.-]+$/.test(input.repository)) {
    throw invalid(
      `"${input.repository}" is neither owner/name nor an absolute path.`,
      "Give the repository as owner/name or an absolute local path.",
    );
  }
  const title =
    input.title?.trim() ||
    input.requirements
      .trim()
      .split("\n")[0]
      ?.replace(/^#+\s*/, "")
      .slice(0, 120);
  return {
    template,
    gates,
    cloneUrl: input.cloneUrl ?? (isLocal ? input.repository : null),
    title: title ?? null,
  };
}
