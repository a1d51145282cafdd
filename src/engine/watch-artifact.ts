// Waiting for a phase's artifact while watching what could make the wait pointless: the run moved by
// someone else (an abort), this worker's lock on the run lost, or the agent's session dead.
import type { Run } from "../db/index.js";
import type { SessionHandle } from "../sessions/index.js";
import { waitForArtifact } from "./artifact-validator.js";
import type { WorkerContext } from "./worker-context.js";

/** `guard.lost()` turns true when this worker no longer holds the run's lock: it must stop at once. */
export interface AdvanceGuard {
  lost(): boolean;
}

/** What to wait for, and what else ends the wait. */
export interface WatchedWait {
  readonly session: SessionHandle;
  /** The artifact file and its JSON Schema. */
  readonly path: string;
  readonly schema: unknown;
  readonly deadline: number;
  readonly guard: AdvanceGuard;
  readonly file: { root: string; maxBytes: number };
  /** Ends the wait as `aborted` when it fires (the run's budget crossed). */
  readonly stop?: AbortSignal;
}

/**
 * Waits for the artifact, giving up early when the run is moved by someone else (abort), the agent's
 * session dies (a dead agent costs its attempt now, not at the phase timeout) or `stop` fires.
 */
export async function waitWatchingRun(context: WorkerContext, run: Run, wait: WatchedWait) {
  const { session, path, schema, deadline, guard, file } = wait;
  const controller = new AbortController();
  let sessionDied = false;
  const watcher = setInterval(async () => {
    if (guard.lost()) controller.abort(); // another worker may take the run over now
    const now = await context.prisma.run
      .findUnique({ where: { id: run.id }, select: { version: true } })
      .catch(() => undefined);
    if (now && now.version !== run.version) controller.abort();
    if (!(await isAlive(context, session))) {
      sessionDied = true;
      controller.abort();
    }
  }, 500);
  const stop = () => controller.abort();
  if (wait.stop?.aborted) stop();
  wait.stop?.addEventListener("abort", stop, { once: true });
  try {
    const outcome = await context.sessions.track(
      waitForArtifact({
        path,
        ...file,
        schema: schema as Record<string, unknown>,
        timeoutMs: Math.max(0, deadline - Date.now()),
        pollMs: context.artifactPollMs ?? 100,
        signal: controller.signal,
      }),
    );
    if (outcome.status === "aborted" && sessionDied) return { status: "session_died" as const };
    // A deadline that passed before the watcher looked (a slow start, a busy host) must not hide a dead
    // agent: its exit says more than "no artifact in time".
    if (outcome.status === "timeout" && !(await isAlive(context, session))) {
      return { status: "session_died" as const };
    }
    return outcome;
  } finally {
    clearInterval(watcher);
    wait.stop?.removeEventListener("abort", stop);
  }
}

/** An adapter that cannot tell is taken at its word that the agent lives: only a clear "dead" ends a wait. */
function isAlive(context: WorkerContext, session: SessionHandle): Promise<boolean> {
  return context.sessions
    .adapterFor(session)
    .isAlive(session)
    .catch(() => true);
}
