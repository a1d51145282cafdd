// What a GitHub Actions runner hands devflow's action: the step's inputs (as INPUT_<NAME> variables,
// name upper-cased with its hyphens kept, as the runner sets them) and the job's GITHUB_* variables.
// Read once, checked, and never echoed: database-url and github-token are secrets.
import { existsSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { DevflowError } from "../errors/index.js";

export interface ActionInputs {
  databaseUrl: string;
  githubToken: string;
  /** The server config file (agents, label, engine limits), resolved against the workspace. */
  configPath?: string;
  /** Which of the config's agents runs every role (default: the config's defaultAgent). */
  agent?: string;
  /** The issue label that starts a run (default: the config's label). */
  label?: string;
  /**
   * `workflow`: the job's GITHUB_TOKEN, whose check runs' buttons and pushes start no workflow on GitHub;
   * `app`: another token (an App installation token), for which both do. Unknown counts as `workflow`.
   */
  tokenKind: "workflow" | "app";
  /** The job's timeout-minutes, when the workflow says it. */
  timeoutMinutes?: number;
}

export interface ActionEnvironment {
  eventName: string;
  eventPath: string;
  /** `owner/name`. */
  repository: string;
  /** REST base URL: https://api.github.com, or https://<host>/api/v3 on GitHub Enterprise Server. */
  apiUrl: string;
  runId: string;
  runAttempt: string;
  workspace: string;
  /** Markdown appended here shows on the job's summary page. */
  summaryPath?: string;
  /** Mirrors, worktrees, transcripts and reports for this job (the runner's temporary directory). */
  dataDir: string;
  /** The job runs with debug logging (re-run with "Enable debug logging"). */
  debug: boolean;
}

type Env = Record<string, string | undefined>;

/** An input as `core.getInput` reads it: `INPUT_<NAME>` with spaces as `_`, trimmed; "" when unset. */
export function inputOf(env: Env, name: string): string {
  return (env[`INPUT_${name.replace(/ /g, "_").toUpperCase()}`] ?? "").trim();
}

const ADD_DATABASE_SECRET = [
  "Add the database as a repository secret: Settings → Secrets and variables → Actions →",
  "New repository secret, named e.g. DEVFLOW_DATABASE_URL, holding postgres://user:password@host:5432/db",
  "(a Postgres 13+ the runner can reach), then pass it to the step:",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a workflow expression, not JavaScript
  "`with: { database-url: ${{ secrets.DEVFLOW_DATABASE_URL }} }`.",
].join(" ");

export function readActionInputs(env: Env, workspace: string): ActionInputs {
  const databaseUrl = inputOf(env, "database-url");
  if (!databaseUrl) {
    throw new DevflowError("The database-url input is empty: devflow keeps its runs in Postgres.", {
      code: "action_input_missing",
      recoveryHint: ADD_DATABASE_SECRET,
    });
  }
  if (!/^postgres(ql)?:\/\//.test(databaseUrl)) {
    // Never quote the value: it is a secret.
    throw new DevflowError("The database-url input is not a postgres:// or postgresql:// URL.", {
      code: "action_input_invalid",
      recoveryHint: ADD_DATABASE_SECRET,
    });
  }
  const githubToken = inputOf(env, "github-token");
  if (!githubToken) {
    throw new DevflowError("The github-token input is empty.", {
      code: "action_input_missing",
      recoveryHint:
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a workflow expression, not JavaScript
        "Leave github-token out (it defaults to the workflow's GITHUB_TOKEN) or pass `${{ github.token }}`, and give the job the permissions in README.md (contents, issues, pull-requests and checks: write).",
    });
  }
  const workflowToken = inputOf(env, "workflow-token");
  const tokenKind = workflowToken && workflowToken !== githubToken ? "app" : "workflow";
  const inputs: ActionInputs = { databaseUrl, githubToken, tokenKind };
  const timeout = inputOf(env, "timeout-minutes");
  if (timeout) {
    const minutes = Number(timeout);
    if (!Number.isInteger(minutes) || minutes < 15 || minutes > 360) {
      throw new DevflowError(
        `The timeout-minutes input is "${timeout}", not a whole number from 15 to 360.`,
        {
          code: "action_input_invalid",
          recoveryHint:
            "Give the job's own `timeout-minutes` (the example workflow uses 75), or leave the input out for GitHub's default of 360.",
        },
      );
    }
    inputs.timeoutMinutes = minutes;
  }
  const config = inputOf(env, "config");
  if (config) {
    const path = isAbsolute(config) ? config : join(workspace, config);
    if (!existsSync(path)) {
      throw new DevflowError(`The config input names ${config}, which is not in the workspace.`, {
        code: "action_input_invalid",
        recoveryHint:
          "Check the repository out first (a step `uses: actions/checkout@v4` before devflow's), and give the path of the server config file relative to the repository root.",
      });
    }
    inputs.configPath = path;
  }
  const agent = inputOf(env, "agent");
  if (agent) inputs.agent = agent;
  const label = inputOf(env, "label");
  if (label) inputs.label = label;
  return inputs;
}

export function readActionEnvironment(env: Env): ActionEnvironment {
  const required = ["GITHUB_EVENT_NAME", "GITHUB_EVENT_PATH", "GITHUB_REPOSITORY"] as const;
  const missing = required.filter((name) => !env[name]);
  if (missing.length > 0) {
    throw new DevflowError(`${missing.join(", ")} ${missing.length === 1 ? "is" : "are"} not set.`, {
      code: "action_environment_invalid",
    });
  }
  const temp = env.RUNNER_TEMP || env.TMPDIR || "/tmp";
  const summaryPath = env.GITHUB_STEP_SUMMARY;
  return {
    eventName: env.GITHUB_EVENT_NAME as string,
    eventPath: env.GITHUB_EVENT_PATH as string,
    repository: env.GITHUB_REPOSITORY as string,
    apiUrl: (env.GITHUB_API_URL || "https://api.github.com").replace(/\/+$/, ""),
    runId: env.GITHUB_RUN_ID || "0",
    runAttempt: env.GITHUB_RUN_ATTEMPT || "1",
    workspace: env.GITHUB_WORKSPACE || process.cwd(),
    ...(summaryPath ? { summaryPath } : {}),
    dataDir: env.DEVFLOW_DATA_DIR || join(temp, "devflow"),
    debug: env.RUNNER_DEBUG === "1",
  };
}
