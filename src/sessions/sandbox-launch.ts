// What the exec and tmux adapters share to start an agent inside its sandbox: the session's fixed view
// (its repository, its program, the operator's extra read-only paths), and per launch the hand-over of
// its writable paths and the argv.
import { accessSync, constants, statSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { isAbsolute, join, resolve } from "node:path";
import type { Readable } from "node:stream";
import { runsAsRoot, type SandboxSettings } from "../config/index.js";
import { type EgressEndpoint, egressMounts, forwardedCommand } from "./egress/egress-forwarder.js";
import { type SeenProcess, seeProcess } from "./process-group.js";
import { programMount, type SandboxCommandOptions, sandboxedCommand, sandboxGitMounts } from "./sandbox.js";
import type { Mount } from "./sandbox-mounts.js";
import { handOverToSandbox } from "./sandbox-ownership.js";

/** A session's sandbox, fixed when the session starts. */
export interface SessionSandbox {
  readonly settings: SandboxSettings;
  /** The session's egress proxy, for an agent with a network allowlist (none: no network at all). */
  readonly egress?: EgressEndpoint;
  readonly git: readonly Mount[];
  readonly readOnly: readonly string[];
}

export function sessionSandbox(
  settings: SandboxSettings,
  worktree: string,
  command: readonly string[],
  path: string | undefined,
  mirrorsDir?: string,
  egress?: EgressEndpoint,
): SessionSandbox {
  const program = programMount(command[0] ?? "", path);
  // The forwarder runs on devflow's own node: shown read-only when it lives outside the system.
  const node = egress === undefined ? undefined : programMount(process.execPath, undefined);
  return {
    settings,
    git: sandboxGitMounts(worktree, mirrorsDir),
    readOnly: [...settings.readOnlyPaths, ...[program, node].filter((p): p is string => p !== undefined)],
    ...(egress && { egress }),
  };
}

export interface LaunchPaths {
  readonly worktree: string;
  readonly home: string;
  readonly artifactDir: string;
  /** The prompt files and the artifact schema. */
  readonly readOnly: readonly string[];
}

/**
 * Hands the writable paths to the sandbox uid (as root), gives the HOME a git config that lets git
 * inside work on a repository devflow owns, and returns the sandboxed argv of `command`.
 */
export async function prepareLaunch(
  sandbox: SessionSandbox,
  paths: LaunchPaths,
  command: readonly string[],
  options: SandboxCommandOptions,
): Promise<string[]> {
  const writable = [paths.artifactDir, paths.home];
  await writeGitConfig(paths.home);
  await handOverToSandbox(sandbox.settings, { worktree: paths.worktree, writable });
  const { egress } = sandbox;
  return sandboxedCommand(
    sandbox.settings,
    {
      worktree: paths.worktree,
      writable,
      readOnly: [...sandbox.readOnly, ...paths.readOnly],
      git: sandbox.git,
      ...(egress && { network: egressMounts(egress) }),
    },
    egress === undefined ? command : forwardedCommand(command),
    options,
  );
}

/**
 * As root the agent's uid is not the repository owner's, and git refuses to work in a repository
 * another user owns. Written once, never over what is there (O_EXCL: not through a planted symlink).
 */
async function writeGitConfig(home: string): Promise<void> {
  if (!runsAsRoot()) return;
  await writeFile(join(home, ".gitconfig"), "[safe]\n\tdirectory = *\n", { flag: "wx" }).catch(
    (error: NodeJS.ErrnoException) => {
      if (error.code !== "EEXIST") throw error;
    },
  );
}

/** The sandbox's init as bubblewrap reports it on --info-fd (undefined if it never did). */
export function readSandboxInit(info: Readable | null | undefined): Promise<SeenProcess | undefined> {
  if (!info) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    let text = "";
    info.setEncoding("utf8");
    info.on("data", (chunk: string) => {
      text += chunk;
      const pid = /"child-pid"\s*:\s*(\d+)/.exec(text)?.[1];
      if (pid !== undefined && text.includes("}")) resolve(seeProcess(Number(pid)));
    });
    info.on("error", () => resolve(undefined));
    info.on("close", () => resolve(undefined)); // settled already when it said anything
  });
}

/**
 * Whether `program` resolves to an executable file, as the sandbox would look for it (PATH, or a path
 * relative to the worktree). Inside the sandbox a missing program is only an exit status; checked here
 * first, it is the clear `agent_spawn_failed` an unsandboxed launch gives.
 */
export function programExists(program: string, path: string | undefined, cwd: string): boolean {
  const candidates = program.includes("/")
    ? [isAbsolute(program) ? program : resolve(cwd, program)]
    : (path ?? "").split(":").flatMap((dir) => (isAbsolute(dir) ? [join(dir, program)] : []));
  return candidates.some((candidate) => {
    try {
      accessSync(candidate, constants.X_OK);
      return statSync(candidate).isFile();
    } catch {
      return false;
    }
  });
}
