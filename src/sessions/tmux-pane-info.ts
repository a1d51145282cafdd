// What devflow reads back about a pane on its tmux socket, and how it knows the pane is still the one a
// session handle names: pane ids restart with the tmux server, so the session name and the session id
// recorded on the tmux session (user options set at start) must match too.
import { appendFile } from "node:fs/promises";
import { join } from "node:path";
import { DevflowError } from "../errors/index.js";
import type { SessionHandle, SessionStartRequest } from "./session-adapter.js";
import { TmuxClient } from "./tmux-client.js";

export interface PaneInfo {
  readonly sessionName: string;
  readonly paneId: string;
  readonly pid: number;
  /** The TUI exited (the pane stays, remain-on-exit, so its last screen can be captured). */
  readonly dead: boolean;
  readonly deadStatus: string;
  /** `@devflow_session_id`, `@devflow_run_id`, `@devflow_session_dir` of its tmux session. */
  readonly sessionId: string;
  readonly runId: string;
  readonly sessionDir: string;
  /** `@devflow_egress_dir`: its egress proxy's directory ("" without one), where a resumed proxy listens. */
  readonly egressDir: string;
}

const FIELDS = ["session_name", "pane_id", "pane_pid", "pane_dead", "pane_dead_status"];
// The session directory last: it is the one value that may hold a tab.
const OPTIONS = ["@devflow_session_id", "@devflow_run_id", "@devflow_egress_dir", "@devflow_session_dir"];
const PANE_FORMAT = [...FIELDS, ...OPTIONS].map((field) => `#{${field}}`).join("\t");

/** The tmux session of a run's role: `devflow-<first 8 characters of the run id>-<roleId>`. */
export function tmuxSessionName(runId: string, roleId: string): string {
  return `devflow-${runId.slice(0, 8)}-${roleId}`.replace(/[^A-Za-z0-9_-]/g, "_");
}

/** The pane `target` names (a pane id, or `=<session>:` for its active pane); undefined when not there. */
export async function readPane(tmux: TmuxClient, target: string | undefined): Promise<PaneInfo | undefined> {
  if (target === undefined || target === "") return undefined;
  const command = ["display-message", "-p", "-t", target, PANE_FORMAT];
  const result = await tmux.tryRun(command);
  if (TmuxClient.isMissing(result)) return undefined;
  const fields = tmux.expectOk(result, command).trimEnd().split("\t");
  const [sessionName = "", paneId = "", pid = "", dead = "", deadStatus = "", sessionId = "", runId = ""] =
    fields;
  if (paneId === "") return undefined; // display-message answers a target it cannot find with empty fields
  const egressDir = fields[7] ?? "";
  const sessionDir = fields.slice(8).join("\t");
  return {
    sessionName,
    paneId,
    pid: Number(pid),
    dead: dead === "1",
    deadStatus,
    sessionId,
    runId,
    sessionDir,
    egressDir,
  };
}

/** Whether `pane` is still the pane that `handle`'s session started. */
export function paneBelongsTo(pane: PaneInfo, handle: SessionHandle): boolean {
  return (
    pane.paneId === handle.paneId &&
    pane.sessionId === handle.sessionId &&
    pane.sessionName === tmuxSessionName(handle.runId, handle.roleId)
  );
}

/** The argv a human runs to watch a session: `tmux -S <socket> attach -t <name> [-r]` (-r: read-only). */
export function attachCommand(
  socketPath: string,
  sessionName: string,
  options: { readOnly: boolean },
): string[] {
  return ["tmux", "-S", socketPath, "attach", "-t", sessionName, ...(options.readOnly ? ["-r"] : [])];
}

export function handleOf(request: SessionStartRequest, pane: PaneInfo): SessionHandle {
  return {
    sessionId: request.sessionId,
    runId: request.runId,
    roleId: request.roleId,
    backend: "tmux",
    cwd: request.cwd,
    paneId: pane.paneId,
    processId: pane.pid,
    transcriptPath: join(request.sessionDir, "transcript.log"),
  };
}

/** The last ten lines of a screen that hold anything. */
export function lastLines(screen: string): string {
  return screen
    .split("\n")
    .filter((line) => line.trim() !== "")
    .slice(-10)
    .join("\n");
}

export function paneNotFound(socketPath: string, sessionId: string, why: string): DevflowError {
  return new DevflowError(`tmux session ${sessionId} cannot be resumed on ${socketPath}: ${why}.`, {
    code: "session_not_found",
    details: { sessionId, backend: "tmux", socketPath },
  });
}

/** Appends a devflow line to a tmux session's transcript. */
export function noteTo(transcriptPath: string, text: string): Promise<void> {
  return appendFile(transcriptPath, `--- ${new Date().toISOString()} [tmux] ${text}\n`).catch(
    () => undefined,
  );
}

/** The session's pane, or `session_not_found` when it is gone or now belongs to another session. */
export async function requirePane(
  tmux: TmuxClient,
  socketPath: string,
  handle: SessionHandle,
): Promise<PaneInfo> {
  const pane = await readPane(tmux, handle.paneId);
  if (pane === undefined)
    throw paneNotFound(socketPath, handle.sessionId, `pane ${handle.paneId ?? "(none)"} is gone`);
  if (!paneBelongsTo(pane, handle)) {
    throw paneNotFound(
      socketPath,
      handle.sessionId,
      `pane ${pane.paneId} now belongs to ${pane.sessionName}`,
    );
  }
  return pane;
}
