// What an action test needs: the GitHub simulator with a repository and a token — by default the
// workflow's GITHUB_TOKEN (an installation token of the "github-actions" app, so what it writes is by
// github-actions[bot]), or a GitHub App's installation token as actions/create-github-app-token makes
// it — an empty database the action migrates itself, and jobs run on fresh runner directories.
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import { createDatabaseClient, type DatabaseClient } from "../../src/db/index.js";
import { issueToken } from "../github-sim/auth.js";
import { GITHUB_ACTIONS_APP_SLUG, type GitHubSimulator, startGitHubSimulator } from "../github-sim/index.js";
import { createEmptyDatabase } from "../support/database.js";
import { type ActionResult, type RunningActionJob, startActionJob } from "./action-process.js";

export const REPO = "octo/widgets";

export interface ActionFixture {
  sim: GitHubSimulator;
  client: DatabaseClient;
  databaseUrl: string;
  token: string;
  /** Writes a server config file for the `config` input. */
  serverConfig(yaml: string): string;
  /** One job on a fresh runner, as the example workflow's step runs it; inputs default to a working set. */
  start(
    eventName: string,
    payload: Record<string, unknown>,
    inputs?: Record<string, string>,
  ): RunningActionJob;
  job(
    eventName: string,
    payload: Record<string, unknown>,
    inputs?: Record<string, string>,
  ): Promise<ActionResult>;
  /**
   * The event as GitHub hands it to the workflow: a job when GitHub Actions would start one for it,
   * undefined when it would not (sim.workflows: the GITHUB_TOKEN's check runs' buttons, for one).
   */
  deliver(event: string, payload: Record<string, unknown>): Promise<ActionResult | undefined>;
  /** The `issues.labeled` event of the trigger label on `issue`, by a maintainer. */
  labeledEvent(issue: number): Promise<Record<string, unknown>>;
  /** Secrets never reach the job's output or its summary. */
  expectNoSecrets(result: ActionResult): void;
  cleanup(): Promise<void>;
}

export function explain(result: ActionResult): string {
  return `exit ${result.code}\nSTDOUT:\n${result.stdout.slice(-3000)}\nSTDERR:\n${result.stderr.slice(-3000)}`;
}

export interface FixtureOptions {
  /** `workflow` (default): github-token is the job's GITHUB_TOKEN; `app`: a GitHub App's token. */
  token?: "workflow" | "app";
  /** More inputs for every job (e.g. timeout-minutes). */
  inputs?: Record<string, string>;
}

export async function createActionFixture(
  agentYaml = "fake: { preset: fake, writeDelayMs: 20 }",
  options: FixtureOptions = {},
): Promise<ActionFixture> {
  const app = options.token === "app";
  const privateKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({
    type: "pkcs8",
    format: "pem",
  }) as string;
  const sim = await startGitHubSimulator({
    appId: app ? 4242 : 15368,
    appSlug: app ? "devflow-acme" : GITHUB_ACTIONS_APP_SLUG,
    privateKey,
    webhookSecret: "unused",
  });
  const repo = await sim.state.createRepository("octo", "widgets", {
    defaultBranch: "main",
    files: { "README.md": "# widgets\n" },
  });
  const installation = sim.state.installations.get(repo.installationId);
  if (!installation) throw new Error("the simulator installed no app on the repository");
  const token = issueToken(sim.state, installation).token;
  // The runner hands every step the workflow's own token too (action.yml: workflow-token). With an App
  // token it is another one, which devflow never uses; this simulator serves only the App.
  const workflowToken = app ? "ghs_theWorkflowsOwnTokenNeverUsed000" : token;
  sim.script.setPermission(REPO, "maintainer", "write");
  sim.script.setPermission(REPO, "reader", "read");
  const database = await createEmptyDatabase();
  const client = createDatabaseClient(database.url, { maxConnections: 2 });
  const root = realpathSync(mkdtempSync(join(tmpdir(), "devflow-action-test-")));
  let files = 0;
  const serverConfig = (yaml: string) => {
    files += 1;
    const path = join(root, `devflow-server-${files}.yml`);
    writeFileSync(path, yaml);
    return path;
  };
  const configPath = serverConfig(`agents:\n  ${agentYaml}\n`);
  let jobs = 0;
  const start: ActionFixture["start"] = (eventName, payload, inputs) => {
    // Workflow events carry no App installation.
    const { installation: _installation, ...event } = payload;
    jobs += 1;
    return startActionJob({
      eventName,
      payload: event,
      repository: REPO,
      apiUrl: sim.url,
      jobDir: join(root, `job-${jobs}`),
      inputs: inputs ?? {
        "database-url": database.url,
        "github-token": token,
        "workflow-token": workflowToken,
        config: configPath,
        ...options.inputs,
      },
    });
  };
  return {
    sim,
    client,
    databaseUrl: database.url,
    token,
    serverConfig,
    start,
    job: (eventName, payload, inputs) => start(eventName, payload, inputs).result,
    deliver: async (event, payload) =>
      sim.workflows.startsWorkflow(event, payload) ? start(event, payload).result : undefined,
    labeledEvent: (issue) =>
      sim.payloads.issueLabeled({ repo: REPO, issue, label: "devflow", sender: "maintainer" }),
    expectNoSecrets(result) {
      for (const text of [result.stdout, result.stderr, result.summary]) {
        expect(text).not.toContain(token);
        expect(text).not.toContain(database.url);
      }
    },
    async cleanup() {
      await client.close();
      await database.drop();
      await sim.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}
