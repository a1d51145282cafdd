// How a session's pane starts: its environment (the agent's, the contract's, the proxy's), a HOME of its
// own seeded with the operator's files, the command inside its sandbox, a detached tmux session on
// devflow's socket that records which devflow session it is (user options a restarted worker reads
// back), its output piped to pane.log — and then the wait until the TUI is ready for a prompt.
import { randomUUID } from "node:crypto";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { proxyEnvironment } from "./egress/egress-forwarder.js";
import type { EgressProxy } from "./egress/egress-proxy.js";
import { endProcessGroup } from "./process-group.js";
import { seedHome } from "./seed-home.js";
import { attemptVariables, type SessionHandle, type SessionStartRequest } from "./session-adapter.js";
import { note, type TmuxAgent } from "./tmux-agent.js";
import { formatLiteral } from "./tmux-client.js";
import { handleOf, type PaneInfo, paneNotFound, readPane, tmuxSessionName } from "./tmux-pane-info.js";
import { envFileText, paneLaunchArgv, shellQuote } from "./tmux-pane-launch.js";
import { paneCommand } from "./tmux-pane-sandbox.js";
import { awaitReady } from "./tmux-pane-screen.js";
import { promptFilePath } from "./tmux-prompt-files.js";

const WINDOW = { width: "200", height: "50" };

/** The session's HOME: the operator's fixed one (tests), else `<sessionDir>/home`. */
export function paneHome(agent: TmuxAgent, sessionDir: string): string {
  return agent.env.HOME ?? join(sessionDir, "home");
}

/** The usage file of a pane's attempt (DEVFLOW_USAGE_FILE): one per pane, in its HOME. */
export function paneUsageFile(home: string): string {
  return join(home, "devflow-usage.jsonl");
}

/** Starts the session's pane; on a TUI that never gets ready, stops it and throws. */
export async function startPane(
  agent: TmuxAgent,
  request: SessionStartRequest,
  egress: EgressProxy | undefined,
  stop: (handle: SessionHandle) => Promise<void>,
): Promise<SessionHandle> {
  const { sessionDir } = request;
  const name = tmuxSessionName(request.runId, request.roleId);
  const home = paneHome(agent, sessionDir);
  const env: Record<string, string> = {
    ...agent.env,
    ...(egress && proxyEnvironment()),
    HOME: home,
    DEVFLOW_PROMPT_FILE: promptFilePath(sessionDir),
    DEVFLOW_RUN_ID: request.runId,
    // The pane serves one phase attempt (SessionManager.ensureSession): these stay true all its life.
    ...attemptVariables(request.attempt),
    DEVFLOW_USAGE_FILE: paneUsageFile(home),
  };
  await mkdir(sessionDir, { recursive: true });
  // A new HOME gets the operator's files (an operator's fixed HOME is theirs already).
  if ((await mkdir(home, { recursive: true })) !== undefined && agent.env.HOME === undefined)
    await seedHome(home, agent.homeSeed);
  await mkdir(dirname(agent.socketPath), { recursive: true, mode: 0o700 });
  const envFile = join(sessionDir, `agent-env-${randomUUID()}`);
  await writeFile(envFile, envFileText(env), { mode: 0o600 });
  try {
    const target = `=${name}:`;
    const where = ["-s", name, "-x", WINDOW.width, "-y", WINDOW.height, "-c", formatLiteral(request.cwd)];
    const command = await paneCommand(
      {
        settings: agent.sandbox,
        worktree: request.cwd,
        sessionDir,
        home,
        schemaDir: agent.schemaDir,
        path: env.PATH,
        ...(egress && { egress }),
        ...(agent.mirrorsDir === undefined ? {} : { mirrorsDir: agent.mirrorsDir }),
      },
      agent.command,
    );
    const launch = paneLaunchArgv(envFile, env, command);
    const created = await agent.tmux.run(
      ["set-option", "-g", "remain-on-exit", "on"], // a TUI that exits leaves its last screen to capture
      ["set-option", "-g", "history-limit", "50000"],
      ["new-session", "-d", "-P", "-F", "#{pane_id}", ...where, "--", ...launch],
      ["set-option", "-t", target, "window-size", "manual"], // watchers never resize the agent's screen
      ["set-option", "-t", target, "@devflow_session_id", request.sessionId],
      ["set-option", "-t", target, "@devflow_run_id", request.runId],
      ["set-option", "-t", target, "@devflow_session_dir", sessionDir],
      ["set-option", "-t", target, "@devflow_egress_dir", egress?.dir ?? ""],
      ["pipe-pane", "-t", target, formatLiteral(`exec cat >> ${shellQuote(join(sessionDir, "pane.log"))}`)],
    );
    const pane = await readPane(agent.tmux, created.trim());
    if (pane === undefined)
      throw paneNotFound(agent.socketPath, request.sessionId, `pane ${created.trim()} vanished`);
    const handle = handleOf(request, pane);
    await note(handle, `started ${name} (${pane.paneId}, pid ${pane.pid}): ${agent.command.join(" ")}`);
    await awaitReady(agent, handle, envFile).catch(async (error: unknown) => {
      await stop(handle);
      throw error;
    });
    return handle;
  } finally {
    await rm(envFile, { force: true });
  }
}

/** Ends the tmux session, then the pane's process group: SIGTERM, and SIGKILL after the grace period. */
export async function killPane(agent: TmuxAgent, pane: PaneInfo): Promise<void> {
  await agent.tmux.tryRun(["kill-session", "-t", `=${pane.sessionName}`]);
  // A dead pane's pid may since belong to someone else: only a live pane's group is signalled.
  if (!pane.dead) await endProcessGroup(pane.pid, agent.stopGraceMs);
}
