import type { Session } from "../db/index.js";
import type { SessionHandle } from "./session-adapter.js";

export type SessionRow = Session;

/** The adapter's handle for a stored session, so a new process can resume it. */
export function handleOf(row: SessionRow): SessionHandle {
  return {
    sessionId: row.id,
    runId: row.runId,
    roleId: row.roleId,
    backend: row.backend,
    cwd: row.cwd,
    ...(row.paneId ? { paneId: row.paneId } : {}),
    ...(row.processId !== null ? { processId: row.processId } : {}),
    ...(row.transcriptPath ? { transcriptPath: row.transcriptPath } : {}),
  };
}
