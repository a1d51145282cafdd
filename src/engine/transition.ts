// The one way a run changes state: a compare-and-set on (state, version), its events appended with
// gap-free seqs and its GitHub effects written to the outbox — all in the caller's transaction.
import type { Prisma } from "../db/index.js";
import { DevflowError } from "../errors/index.js";
import { type NewEffect, writeEffects } from "./outbox.js";
import { appendRunEvents, type NewRunEvent } from "./run-events.js";
import { canTransition, type RunState } from "./run-states.js";

type Tx = Prisma.TransactionClient;

export interface TransitionRequest {
  runId: string;
  /** What the caller read: the transition applies only while the run is still in it. */
  from: { states: readonly RunState[]; version: number };
  to: RunState;
  /** Other columns to write with the state (never `state` or `version`). */
  patch?: Omit<Prisma.RunUncheckedUpdateManyInput, "state" | "version" | "nextEventSeq">;
  events: readonly NewRunEvent[];
  effects?: readonly NewEffect[];
}

/**
 * The run's new version, or undefined when another transition got there first (nothing written).
 * A move the state machine does not allow (DESIGN §2) throws `run_transition_not_allowed` and writes nothing.
 */
export async function transitionRun(tx: Tx, request: TransitionRequest): Promise<number | undefined> {
  const refused = request.from.states.filter((from) => !canTransition(from, request.to));
  if (refused.length > 0) {
    throw new DevflowError(`Run ${request.runId} cannot move from ${refused.join(", ")} to ${request.to}.`, {
      code: "run_transition_not_allowed",
      details: { runId: request.runId, from: refused, to: request.to },
    });
  }
  const updated = await tx.run.updateMany({
    where: { id: request.runId, version: request.from.version, state: { in: [...request.from.states] } },
    data: { ...request.patch, state: request.to, version: { increment: 1 } },
  });
  if (updated.count === 0) return undefined;
  await appendRunEvents(tx, request.runId, request.events);
  await writeEffects(tx, { runId: request.runId }, request.effects ?? []);
  return request.from.version + 1;
}
