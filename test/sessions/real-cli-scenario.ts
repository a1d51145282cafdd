// One run of a real agent CLI, outside devflow and unsandboxed, against the scripted model server: the
// argv devflow's preset builds (agentLaunch, placeholders expanded), the prompt devflow's way (stdin,
// naming the artifact path), a script that writes the artifact with the CLI's write tool, runs a shell
// command with its shell tool and ends with a text.
import { execFile } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { agentLaunch, expandArgv } from "../../src/sessions/presets/index.js";
import {
  artifactPathIn,
  type ModelScripts,
  type ModelServer,
  type ScriptedUsage,
  startModelServer,
  type Vendor,
} from "../fixtures/model-server/index.js";
import { type RealCli, scratchDir, seedCliHome } from "../support/agent-clis.js";
import { type CliRun, runCli } from "../support/run-cli.js";

export const VENDOR: Record<RealCli, Vendor> = { claude: "anthropic", codex: "openai", gemini: "gemini" };

/** The usage each turn reports: distinct numbers, so a sum that drops or repeats a turn shows. */
export const TURN_USAGE: readonly ScriptedUsage[] = [
  { inputTokens: 1200, outputTokens: 80, cacheReadTokens: 300, cacheWriteTokens: 150 },
  { inputTokens: 400, outputTokens: 40, cacheReadTokens: 1500, cacheWriteTokens: 20 },
  { inputTokens: 100, outputTokens: 25, cacheReadTokens: 1800, cacheWriteTokens: 0 },
];

export const ARTIFACT_JSON = '{"summary":"written by the real CLI"}';
export const SHELL_MARKER = "shell-ran-inside-the-cli";
export const FINAL_TEXT = "The artifact is written and the command ran.";
/** A command no edit-only mode lets through: it runs a program, not just an edit. */
export const SHELL_COMMAND = `node -e "require('fs').writeFileSync('ran.txt', process.argv[1])" ${SHELL_MARKER} && echo ${SHELL_MARKER}`;

/** `preset`: devflow's argv as it is (edit-only); `full-tools`: the flags meant for inside the sandbox. */
export type Flags = "preset" | "full-tools";

/** Flags that give each CLI its shell without a human to approve (issue 13, item 2). */
export interface Scenario {
  readonly run: CliRun;
  readonly server: ModelServer;
  readonly argv: readonly string[];
  readonly scratch: string;
  readonly workDir: string;
  readonly artifactPath: string;
  /** The artifact's content, or undefined when it was not written. */
  readonly artifact: string | undefined;
  /** What the shell command wrote in the working directory, or undefined when it did not run. */
  readonly shellOutput: string | undefined;
}

const readOrUndefined = (path: string) => readFile(path, "utf8").catch(() => undefined);

export async function runScenario(cli: RealCli, bin: string, flags: Flags): Promise<Scenario> {
  const scratch = await scratchDir(`${cli}-${flags}`);
  const workDir = join(scratch, "worktree");
  const artifactDir = join(scratch, "artifacts");
  const schemaDir = join(scratch, "schemas");
  const home = join(scratch, "home");
  for (const dir of [workDir, artifactDir, schemaDir, home]) await mkdir(dir, { recursive: true });
  // devflow's agents work in a git worktree (Codex refuses to start outside one).
  await promisify(execFile)("git", ["init", "-q", workDir]);
  await writeFile(join(schemaDir, "spec.schema.json"), '{"type":"object"}');
  const artifactPath = join(artifactDir, "spec-1.json");
  const scripts: ModelScripts = {
    [VENDOR[cli]]: [
      (context: { userText: string }) => ({
        calls: [
          {
            tool: "write",
            path: artifactPathIn(context.userText) ?? "/prompt-has-no-artifact-path",
            content: ARTIFACT_JSON,
          },
        ],
        usage: TURN_USAGE[0] as ScriptedUsage,
      }),
      { calls: [{ tool: "shell", command: SHELL_COMMAND }], usage: TURN_USAGE[1] as ScriptedUsage },
      { text: FINAL_TEXT, usage: TURN_USAGE[2] as ScriptedUsage },
    ],
  };
  const server = await startModelServer(scripts);
  // "preset": the edit-only flags of sandbox: none; otherwise the full tools the presets give in a sandbox.
  const launch = agentLaunch({
    preset: cli,
    mode: "exec",
    sandbox: flags === "preset" ? "none" : "bubblewrap",
  });
  const values = { artifactDir, artifactPath, schemaDir, schemaPath: join(schemaDir, "spec.schema.json") };
  const chosen = { argv: expandArgv(launch.argv, values), env: launch.env };
  const argv = [bin, ...chosen.argv.slice(1)];
  const seeded = await seedCliHome(cli, home, server.url, [workDir]);
  const prompt = [
    "# Phase: spec",
    `Write your result as JSON to \`${artifactPath}\` (also in $DEVFLOW_ARTIFACT_PATH).`,
    "Then run the repository's checks.",
  ].join("\n");
  try {
    const run = await runCli(bin, argv.slice(1), {
      cwd: workDir,
      home,
      env: { ...seeded.env, ...chosen.env, DEVFLOW_ARTIFACT_PATH: artifactPath },
      stdin: prompt,
    });
    return {
      run,
      server,
      argv,
      scratch,
      workDir,
      artifactPath,
      artifact: await readOrUndefined(artifactPath),
      shellOutput: await readOrUndefined(join(workDir, "ran.txt")),
    };
  } finally {
    await server.close();
  }
}
