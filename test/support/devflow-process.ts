// Runs the real `devflow` CLI as a child process (the sources as this test run built them:
// test/support/cli-build.ts), for tests of start-up and shutdown as a user sees them.
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { inject } from "vitest";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));

export interface DevflowProcess {
  readonly child: ChildProcess;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** What was written to stdout alone (e.g. a command's --json output). */
  stdout(): string;
  /** Resolves with the exit code (or the signal's name) when the process ends. */
  readonly exited: Promise<number | string>;
}

export function spawnDevflow(args: string[], env: Record<string, string | undefined>): DevflowProcess {
  // Only what the test names: none of the developer's own services or GitHub App credentials.
  const inherited = ["DATABASE_URL", "REDIS_URL", "PORT", "APP_ID", "PRIVATE_KEY", "PRIVATE_KEY_PATH"];
  inherited.push("WEBHOOK_SECRET", "GHE_HOST", "GHE_PROTOCOL", "DEVFLOW_CONFIG");
  const clean = Object.fromEntries(Object.entries(process.env).filter(([key]) => !inherited.includes(key)));
  const child = spawn(process.execPath, [inject("devflowCli"), ...args], {
    cwd: repoRoot,
    env: { ...clean, LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  let stdout = "";
  child.stdout?.on("data", (chunk) => {
    output += chunk;
    stdout += chunk;
  });
  child.stderr?.on("data", (chunk) => {
    output += chunk;
  });
  const exited = new Promise<number | string>((resolve) => {
    child.once("exit", (code, signal) => resolve(code ?? signal ?? "unknown"));
  });
  return { child, output: () => output, stdout: () => stdout, exited };
}

/** Polls GET /healthz until it answers 200; fails with the process output if it exits first. */
export async function waitForHealthy(port: number, devflow: DevflowProcess, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  devflow.exited.then(() => {
    exited = true;
  });
  while (Date.now() < deadline && !exited) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (response.status === 200) return (await response.json()) as Record<string, unknown>;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`devflow did not become healthy on port ${port}. Output:\n${devflow.output()}`);
}
