// What the CLI's tests share: a local git repository to run on, a requirements file, a server config with
// the fixture command agent, and `devflow …` as a real process on a database of the test file's own.
import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type DevflowProcess, spawnDevflow } from "../support/devflow-process.js";

export const AGENT = fileURLToPath(new URL("../fixtures/cli-agent.mjs", import.meta.url));
const identity = ["-c", "user.name=devflow test", "-c", "user.email=test@devflow.invalid"];

export interface CliFixture {
  root: string;
  repo: string;
  requirements: string;
  dataDir: string;
  configPath: string;
  /** The held agent's marker (written while it waits) and release file (it goes on once this exists). */
  marker: string;
  release: string;
  devflow(args: string[], env?: Record<string, string | undefined>): DevflowProcess;
  cleanup(): void;
}

export function createCliFixture(databaseUrl: string | undefined): CliFixture {
  const root = realpathSync(mkdtempSync(join(tmpdir(), "devflow-cli-")));
  chmodSync(root, 0o755);
  const repo = join(root, "repo");
  mkdirSync(repo);
  execFileSync("git", ["init", "-q", "-b", "main", repo]);
  writeFileSync(join(repo, "README.md"), "# fixture\n");
  execFileSync("git", ["add", "README.md"], { cwd: repo });
  execFileSync("git", [...identity, "commit", "-q", "-m", "initial"], { cwd: repo });
  const requirements = join(root, "requirements.md");
  writeFileSync(requirements, "# Add a greeting\n\nA GREETING.md that says hello.\n");
  const marker = join(root, "held.marker");
  const release = join(root, "release");
  const configPath = join(root, "devflow.yml");
  const node = JSON.stringify(process.execPath);
  writeFileSync(
    configPath,
    [
      "agents:",
      `  plain: { preset: command, command: [${node}, ${JSON.stringify(AGENT)}] }`,
      // sandbox: none — its marker and release files live outside the worktree, where a sandboxed agent
      // cannot reach, and the tests signal the pid it writes (a host pid only outside a PID namespace).
      `  holding: { preset: command, sandbox: none, command: [${node}, ${JSON.stringify(AGENT)}, --hold, implement, --marker, ${JSON.stringify(marker)}, --release, ${JSON.stringify(release)}] }`,
      "defaultAgent: plain",
      `sandbox: { readOnlyPaths: [${JSON.stringify(dirname(AGENT))}] }`, // the fixture agent, read-only
      "engine: { shutdownDrainSeconds: 1 }",
    ].join("\n"),
  );
  const dataDir = join(root, "data");
  return {
    root,
    repo,
    requirements,
    dataDir,
    configPath,
    marker,
    release,
    devflow: (args, env = {}) =>
      spawnDevflow(args, {
        DATABASE_URL: databaseUrl,
        DEVFLOW_DATA_DIR: dataDir,
        DEVFLOW_CONFIG: configPath,
        LOG_LEVEL: "warn",
        ...env,
      }),
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}

/** Polls until `check` returns a value (not undefined); fails with the process output if it exits. */
export async function waitFor<T>(
  what: string,
  check: () => T | undefined,
  process?: DevflowProcess,
  timeoutMs = 90_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let exited: number | string | undefined;
  process?.exited.then((code) => {
    exited = code;
  });
  while (Date.now() < deadline) {
    const value = check();
    if (value !== undefined) return value;
    if (exited !== undefined) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(
    `${what}: not seen${exited !== undefined ? ` (the process exited: ${exited})` : ""}. Output:\n${process?.output() ?? ""}`,
  );
}

/** The `--json` lines a process printed so far. */
export function jsonLines(output: string): Record<string, unknown>[] {
  return output
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** Runs `devflow …` as printed by devflow itself ("devflow approve <id> --gate g"). */
export function argvOf(command: string): string[] {
  const [program, ...args] = command.split(" ");
  if (program !== "devflow") throw new Error(`not a devflow command: ${command}`);
  return args;
}
