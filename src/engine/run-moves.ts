// The moves a run makes, each one transition (compare-and-set + events + effects) inside the caller's
// transaction. They return the new version, or undefined when the run changed under the caller.
import type { Prisma } from "../db/index.js";
import type { WorkflowPhase } from "../registry/index.js";
import { BUDGET_STOPPED } from "./budget-state.js";
import type { NewEffect } from "./outbox.js";
import type { NewRunEvent } from "./run-events.js";
import { isTerminal, type RunState } from "./run-states.js";
import { afterRunEnded } from "./start-revision.js";
import { transitionRun } from "./transition.js";

type Tx = Prisma.TransactionClient;

/** What a move needs to know of the run it moves: read in the same transaction or just before. */
export interface RunRef {
  readonly id: string;
  readonly state: RunState;
  readonly version: number;
  readonly installationId: bigint | null;
}

function statusEffect(run: RunRef, version: number, state: RunState, phaseKey?: string): NewEffect[] {
  // Only GitHub runs have GitHub effects; the effects worker coalesces them into the sticky comment.
  if (run.installationId === null) return [];
  return [
    {
      key: `${run.id}:status:v${version}`,
      effect: { kind: "run.status", state, phaseKey: phaseKey ?? null },
    },
  ];
}

async function move(tx: Tx, run: RunRef, to: RunState, events: NewRunEvent[], patch: TransitionPatch = {}) {
  const version = await transitionRun(tx, {
    runId: run.id,
    from: { states: [run.state], version: run.version },
    to,
    patch,
    events,
    effects: statusEffect(run, run.version + 1, to, patch.currentPhaseKey ?? undefined),
  });
  // A run that ends starts the revision requested meanwhile, in the same transaction (start-revision.ts).
  if (version !== undefined && isTerminal(to)) await afterRunEnded(tx, run.id, to);
  return version;
}

type TransitionPatch = Omit<Prisma.RunUncheckedUpdateManyInput, "state" | "version" | "nextEventSeq"> & {
  currentPhaseKey?: string | null;
};

/**
 * Opens the next attempt of `phase` and moves the run to executing it. When the phase has used all its
 * attempts the run fails instead (`extraAttempt` lets a human's explicit retry go one past the limit).
 * An attempt the budget stopped (`budget_exceeded`) is not one of them: approving more budget must not
 * use up the phase's attempts. `patch` writes other run columns with the move (e.g. a raised budget).
 */
export async function moveToPhase(
  tx: Tx,
  run: RunRef,
  phase: WorkflowPhase,
  options: {
    feedback?: string;
    events?: NewRunEvent[];
    extraAttempt?: boolean;
    patch?: Pick<TransitionPatch, "budget">;
  } = {},
): Promise<number | undefined> {
  const last = await tx.phaseAttempt.findFirst({
    where: { runId: run.id, phaseKey: phase.key },
    orderBy: { attempt: "desc" },
    select: { attempt: true },
  });
  const attempt = (last?.attempt ?? 0) + 1;
  const used = await tx.phaseAttempt.count({
    where: {
      runId: run.id,
      phaseKey: phase.key,
      OR: [{ failureCode: null }, { failureCode: { not: BUDGET_STOPPED } }],
    },
  });
  const limit = phase.maxAttempts + (options.extraAttempt ? 1 : 0);
  if (used + 1 > limit) {
    return failRun(tx, run, {
      code: "phase_attempts_exhausted",
      reason: `Phase "${phase.key}" used all ${phase.maxAttempts} attempts.`,
      events: options.events,
    });
  }
  const version = await move(
    tx,
    run,
    "executing",
    [...(options.events ?? []), { type: "phase.started", payload: { phaseKey: phase.key, attempt } }],
    { ...options.patch, currentPhaseKey: phase.key },
  );
  if (version === undefined) return undefined;
  await tx.phaseAttempt.create({
    data: { runId: run.id, phaseKey: phase.key, attempt, feedback: options.feedback ?? null },
  });
  return version;
}

export function completeRun(tx: Tx, run: RunRef, events: NewRunEvent[] = []) {
  return move(tx, run, "completed", [...events, { type: "run.completed" }], { finishedAt: new Date() });
}

export function failRun(
  tx: Tx,
  run: RunRef,
  failure: { code: string; reason: string; events?: NewRunEvent[] | undefined },
) {
  return move(
    tx,
    run,
    "failed",
    [
      ...(failure.events ?? []),
      { type: "run.failed", payload: { code: failure.code, reason: failure.reason } },
    ],
    { finishedAt: new Date(), failureCode: failure.code, failureReason: failure.reason },
  );
}

/** `why`, when given, says what the abort answered (e.g. "the issue was closed"): the report shows it. */
export function abortRun(tx: Tx, run: RunRef, actor: string, events: NewRunEvent[] = [], why?: string) {
  return move(
    tx,
    run,
    "aborted",
    [...events, { type: "run.aborted", payload: { actor, ...(why ? { reason: why } : {}) } }],
    {
      finishedAt: new Date(),
      failureCode: "aborted",
      failureReason: why ? `Aborted by ${actor}: ${why}.` : `Aborted by ${actor}.`,
    },
  );
}

/**
 * Pauses a run, remembering the state it was in (a decision on its recovery request returns it there).
 * `events` come first, then `run.paused`.
 */
export function pauseRun(tx: Tx, run: RunRef, reason: string, events: NewRunEvent[] = []) {
  return move(
    tx,
    run,
    "paused",
    [...events, { type: "run.paused", payload: { reason, pausedFromState: run.state } }],
    { pausedFromState: run.state },
  );
}

export function moveTo(
  tx: Tx,
  run: RunRef,
  to: RunState,
  events: NewRunEvent[],
  patch: TransitionPatch = {},
) {
  return move(tx, run, to, events, patch);
}
