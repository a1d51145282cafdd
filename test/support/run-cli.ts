// Runs an installed agent CLI as a plain child process (no devflow, no sandbox) and captures its output.
import { spawn } from "node:child_process";

export interface CliRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliRunOptions {
  readonly cwd: string;
  readonly home: string;
  /** Added to PATH and HOME; nothing else of the test process's environment reaches the CLI. */
  readonly env: Readonly<Record<string, string>>;
  /** Written to stdin, which is then closed (stdin is always closed: Codex waits on an open one). */
  readonly stdin?: string;
  /** The CLI is killed after this long; default 120 s. */
  readonly timeoutMs?: number;
}

export function runCli(bin: string, args: readonly string[], options: CliRunOptions): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const env = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: options.home, ...options.env };
    const child = spawn(bin, args, { cwd: options.cwd, env, stdio: ["pipe", "pipe", "pipe"] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 120_000);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({
        code,
        signal,
        stdout: Buffer.concat(stdout).toString("utf8"),
        stderr: Buffer.concat(stderr).toString("utf8"),
      });
    });
    child.stdin.on("error", () => undefined); // a CLI that never reads stdin closes it early
    child.stdin.end(options.stdin ?? "");
  });
}
