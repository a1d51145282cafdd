// The sandbox of a TUI in a tmux pane: the pane's command is the sandbox, fixed when the pane starts, so
// everything the agent will need for the session's prompts is bound then: the worktree, the run's
// artifact directory (beside the worktree: `<workspace>/<run>/artifacts`), the prompt directory and the
// artifact schemas. A prompt that expects its artifact anywhere else is refused before it is pasted.
import { mkdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { SandboxSettings } from "../config/index.js";
import { DevflowError } from "../errors/index.js";
import type { EgressEndpoint } from "./egress/egress-forwarder.js";
import type { PromptEnvelope } from "./prompt-envelope.js";
import { prepareLaunch, sessionSandbox } from "./sandbox-launch.js";
import { isWithin } from "./sandbox-mounts.js";
import { promptDirPath } from "./tmux-prompt-files.js";

/** Where a run's artifacts live, beside its worktree (`<workspace>/<run>/main` → `<workspace>/<run>/artifacts`). */
export function artifactDirOf(worktree: string): string {
  return join(dirname(worktree), "artifacts");
}

export interface PaneSandboxInput {
  readonly settings: SandboxSettings;
  readonly worktree: string;
  readonly sessionDir: string;
  readonly home: string;
  /** The artifact schemas' directory, shown read-only. */
  readonly schemaDir: string;
  readonly mirrorsDir?: string;
  readonly path: string | undefined;
  /** The session's egress proxy, for an agent with a network allowlist. */
  readonly egress?: EgressEndpoint;
}

/** The pane's command: `command` inside its sandbox, or `command` itself with sandbox: none. */
export async function paneCommand(input: PaneSandboxInput, command: readonly string[]): Promise<string[]> {
  if (input.settings.kind === "none") return [...command];
  const artifactDir = artifactDirOf(input.worktree);
  const promptDir = promptDirPath(input.sessionDir);
  await Promise.all([
    mkdir(artifactDir, { recursive: true }),
    mkdir(promptDir, { recursive: true, mode: 0o755 }),
  ]);
  const { settings, worktree, path, mirrorsDir, egress } = input;
  const sandbox = sessionSandbox(settings, worktree, command, path, mirrorsDir, egress);
  const paths = {
    worktree: input.worktree,
    home: input.home,
    artifactDir,
    readOnly: [promptDir, input.schemaDir],
  };
  return prepareLaunch(sandbox, paths, command, { terminal: true });
}

/** Refuses a prompt whose artifact the pane's sandbox could not write (undefined: it can). */
export function checkArtifactReachable(
  settings: SandboxSettings,
  worktree: string,
  envelope: PromptEnvelope,
): void {
  if (settings.kind === "none") return;
  const where = dirname(envelope.expectedArtifact);
  if (isWithin(where, artifactDirOf(worktree)) || isWithin(where, worktree)) return;
  throw new DevflowError(
    `The prompt expects its artifact at ${envelope.expectedArtifact}, which the agent's sandbox cannot write: a tmux pane's sandbox shows only the worktree ${worktree} and ${artifactDirOf(worktree)}.`,
    { code: "sandbox_setup_failed", details: { expectedArtifact: envelope.expectedArtifact, worktree } },
  );
}
