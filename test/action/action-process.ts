// Runs the bundled action as a runner does: `node action/dist/index.js` with the event payload in a
// file, GITHUB_* variables, and the step's inputs as INPUT_<NAME> variables (hyphens kept).
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
/** The committed bundle; DEVFLOW_ACTION_ENTRY names another build of it (sources not yet bundled). */
export const ACTION_ENTRY = process.env.DEVFLOW_ACTION_ENTRY ?? join(repoRoot, "action", "dist", "index.js");

export interface ActionJob {
  eventName: string;
  payload: unknown;
  repository: string;
  apiUrl: string;
  /** A fresh directory per job: a runner starts empty. */
  jobDir: string;
  inputs: Record<string, string>;
  runId?: number;
}

export interface ActionResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** What the job wrote to $GITHUB_STEP_SUMMARY. */
  summary: string;
}

export interface RunningActionJob {
  readonly pid: number | undefined;
  /** SIGKILL, as when a runner is lost or the job is cancelled hard. */
  kill(): void;
  readonly result: Promise<ActionResult>;
}

export async function runActionJob(job: ActionJob): Promise<ActionResult> {
  return startActionJob(job).result;
}

export function startActionJob(job: ActionJob): RunningActionJob {
  mkdirSync(join(job.jobDir, "temp"), { recursive: true });
  mkdirSync(join(job.jobDir, "workspace"), { recursive: true });
  const eventPath = join(job.jobDir, "event.json");
  writeFileSync(eventPath, JSON.stringify(job.payload, null, 2));
  const summaryPath = join(job.jobDir, "summary.md");
  writeFileSync(summaryPath, "");
  // Nothing of the test process's own configuration leaks in: only what a runner would set.
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: job.jobDir,
    CI: "true",
    GITHUB_ACTIONS: "true",
    GITHUB_EVENT_NAME: job.eventName,
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_REPOSITORY: job.repository,
    GITHUB_API_URL: job.apiUrl,
    GITHUB_RUN_ID: String(job.runId ?? Math.floor(Math.random() * 1e9)),
    GITHUB_RUN_ATTEMPT: "1",
    GITHUB_WORKSPACE: join(job.jobDir, "workspace"),
    GITHUB_STEP_SUMMARY: summaryPath,
    RUNNER_TEMP: join(job.jobDir, "temp"),
  };
  for (const [name, value] of Object.entries(job.inputs)) env[`INPUT_${name.toUpperCase()}`] = value;
  const child = spawn(process.execPath, [ACTION_ENTRY], {
    cwd: join(job.jobDir, "workspace"),
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => {
    stdout += chunk;
  });
  child.stderr.on("data", (chunk) => {
    stderr += chunk;
  });
  const result = new Promise<ActionResult>((resolve) =>
    child.once("exit", (code) =>
      resolve({ code, stdout, stderr, summary: readFileSync(summaryPath, "utf8") }),
    ),
  );
  return { pid: child.pid, kill: () => child.kill("SIGKILL"), result };
}
