// Where an attempt's wait for its artifact ends, the usage its agent's prompts reported (their CLI's
// stream, the usage file) is stored per phase attempt. A one-shot agent reports usage as it exits,
// just after writing its artifact: devflow gives it a moment to, before the run moves on.

import type { SessionAdapter, SessionHandle } from "../sessions/index.js";
import { recordUsage } from "./record-usage.js";
import type { WorkerContext } from "./worker-context.js";

/** How long an agent that wrote its artifact may take to exit and report its usage. */
export const USAGE_WAIT_MS = 10_000;

export async function recordSessionUsage(
  context: WorkerContext,
  runId: string,
  session: SessionHandle,
  waitMs = USAGE_WAIT_MS,
): Promise<void> {
  await recordTakenUsage(context, runId, context.sessions.adapterFor(session), session, waitMs);
}

/** The same, with the session's adapter named (a stopped session is no longer the manager's). */
export async function recordTakenUsage(
  context: WorkerContext,
  runId: string,
  adapter: SessionAdapter,
  session: SessionHandle,
  waitMs: number,
): Promise<void> {
  const reports = (await adapter.takeUsage?.(session, waitMs)) ?? [];
  for (const { phaseKey, attempt, prompt, usage, commands } of reports) {
    // Usage is a report, not a step of the run: a failure to store it is logged, never fatal.
    const input = { runId, phaseKey, attempt, prompt, usage, ...(commands ? { commands } : {}) };
    await recordUsage(context.prisma, input).catch((error: unknown) =>
      context.log.warn({ runId, phaseKey, attempt, err: error }, "could not record the agent's usage"),
    );
  }
}
