// What devflow reads off a pane's screen: whether the TUI is ready for a prompt (its ready pattern), the
// screen itself, and the error that quotes a TUI's last screen when it exited. Completion of a phase is
// never read from here: the engine waits for the artifact file.
import { existsSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { DevflowError, type ErrorCode } from "../errors/index.js";
import type { SessionHandle } from "./session-adapter.js";
import { note, type TmuxAgent } from "./tmux-agent.js";
import { lastLines, type PaneInfo, requirePane } from "./tmux-pane-info.js";

const POLL_MS = 50;

/** The visible screen; with `history`, the 100 lines above it too. */
export function screenOf(agent: TmuxAgent, paneId: string, history = false): Promise<string> {
  return agent.tmux.run(["capture-pane", "-p", "-J", ...(history ? ["-S", "-100"] : []), "-t", paneId]);
}

/** Appends the pane's whole scrollback to the session's transcript (when the pane is still the session's). */
export async function capturePane(agent: TmuxAgent, handle: SessionHandle, pane: PaneInfo): Promise<void> {
  const result = await agent.tmux.tryRun(["capture-pane", "-p", "-J", "-S", "-", "-t", pane.paneId]);
  if (result.ok) await note(handle, `capture of ${pane.paneId}\n${result.stdout.trimEnd()}`);
}

/** The agent exited: the error quotes the end of its last screen (the pane remains on exit). */
export async function crashedError(
  agent: TmuxAgent,
  handle: SessionHandle,
  pane: PaneInfo,
  code: ErrorCode,
): Promise<DevflowError> {
  const screen = await screenOf(agent, pane.paneId, true).catch(() => "");
  const message = `The agent in tmux session ${pane.sessionName} exited (status ${pane.deadStatus}).`;
  return new DevflowError(`${message} Its screen ends:\n${lastLines(screen)}`, {
    code,
    details: { sessionId: handle.sessionId, transcript: handle.transcriptPath },
  });
}

/** Until the env file was read (start) and the ready pattern shows; throws if the TUI exits or stalls. */
export async function awaitReady(agent: TmuxAgent, handle: SessionHandle, envFile?: string): Promise<void> {
  const deadline = Date.now() + agent.readyTimeoutMs;
  for (;;) {
    const pane = await requirePane(agent.tmux, agent.socketPath, handle);
    // Dying while starting: the command is missing, or fails before its first screen.
    if (pane.dead)
      throw await crashedError(agent, handle, pane, envFile ? "agent_spawn_failed" : "session_crashed");
    const launched = envFile === undefined || !existsSync(envFile);
    const screen = launched && agent.readyPattern ? await screenOf(agent, pane.paneId) : "";
    if (launched && (agent.readyPattern?.test(screen) ?? true)) return;
    if (Date.now() > deadline) {
      await capturePane(agent, handle, pane);
      const waited = launched ? `showing ${String(agent.readyPattern)}` : "reading its environment";
      const message = `The agent in tmux session ${pane.sessionName} was not ${waited} after ${agent.readyTimeoutMs} ms.`;
      const last = screen || (await screenOf(agent, pane.paneId).catch(() => ""));
      throw new DevflowError(`${message} Its screen ends:\n${lastLines(last)}`, {
        code: "tmux_not_ready",
        details: { sessionId: handle.sessionId, transcript: handle.transcriptPath },
      });
    }
    await sleep(POLL_MS);
  }
}
