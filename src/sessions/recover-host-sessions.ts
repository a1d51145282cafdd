// Start-up recovery of one host's sessions (DESIGN §7 items 1, 7, 8), the sessions' part: sessions of
// terminal runs are left alone; a live session is resumed (a recoverable failure retried, any other
// tried once). One that cannot be resumed is only reported: what becomes of it and its run is the
// engine's decision (engine/recover-runs.ts), taken in one transaction with the run's move.
import type { PrismaClient } from "../db/index.js";
import { isDevflowError } from "../errors/index.js";
import type { SessionAdapter, SessionHandle } from "./session-adapter.js";
import { handleOf, type SessionRow } from "./session-row.js";

/** A session of a live run that could not be resumed. */
export interface UnresumedSession {
  readonly id: string;
  readonly runId: string;
  readonly roleId: string;
  /** Why, in words (the resume error's message). */
  readonly reason: string;
}

export interface HostSessionsReport {
  recoveredSessionIds: string[];
  /** In the order the sessions were created. */
  failedSessions: UnresumedSession[];
}

export interface RecoverHostSessionsOptions {
  prisma: PrismaClient;
  hostId: string;
  /** The adapter that runs an agent (by the name recorded on its session). */
  adapterOf: (agent: string) => SessionAdapter;
  resumeAttempts: number;
  onResumed: (handle: SessionHandle, agent: string) => void;
}

const TERMINAL = ["completed", "failed", "aborted"] as const;

async function tryResume(adapter: SessionAdapter, row: SessionRow, attempts: number) {
  let lastError: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      return { handle: await adapter.resume(handleOf(row)) };
    } catch (error) {
      lastError = error;
      // Only a recoverable failure is worth another try; a crashed session stays crashed.
      if (isDevflowError(error) && error.class !== "recoverable") break;
    }
  }
  return { error: lastError };
}

export async function recoverHostSessions(options: RecoverHostSessionsOptions): Promise<HostSessionsReport> {
  const { prisma } = options;
  const report: HostSessionsReport = { recoveredSessionIds: [], failedSessions: [] };
  const rows = await prisma.session.findMany({
    where: {
      hostId: options.hostId,
      state: { in: ["CREATED", "READY", "BUSY"] },
      run: { state: { notIn: [...TERMINAL] } },
    },
    orderBy: { createdAt: "asc" },
  });
  for (const row of rows) {
    const resumed = await tryResume(options.adapterOf(row.agent), row, options.resumeAttempts);
    if (resumed.handle) {
      await prisma.session.update({ where: { id: row.id }, data: { state: "READY" } });
      options.onResumed(resumed.handle, row.agent);
      report.recoveredSessionIds.push(row.id);
      continue;
    }
    const reason =
      resumed.error instanceof Error ? resumed.error.message : "the session could not be resumed";
    report.failedSessions.push({ id: row.id, runId: row.runId, roleId: row.roleId, reason });
  }
  return report;
}
