// The one way a run changes state: a compare-and-set on (state, version), its events appended with
// gap-free seqs and its GitHub effects written to the outbox — all in the caller's transaction.
import type { Prisma } from "../db/generated/client.js";
import { appendRunEvents, type NewRunEvent } from "./run-events.js";
import type { RunState } from "./run-states.js";

type Tx = Prisma.TransactionClient;

export interface NewEffect {
  /** Idempotency key: a replayed transition writes the same key, and the duplicate is ignored. */
  key: string;
  kind: string;
  payload: Record<string, unknown>;
}

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

/** The run's new version, or undefined when another transition got there first (nothing written). */
export async function transitionRun(tx: Tx, request: TransitionRequest): Promise<number | undefined> {
  const updated = await tx.run.updateMany({
    where: { id: request.runId, version: request.from.version, state: { in: [...request.from.states] } },
    data: { ...request.patch, state: request.to, version: { increment: 1 } },
  });
  if (updated.count === 0) return undefined;
  await appendRunEvents(tx, request.runId, request.events);
  await writeEffects(tx, request.runId, request.effects ?? []);
  return request.from.version + 1;
}

export async function writeEffects(tx: Tx, runId: string, effects: readonly NewEffect[]): Promise<void> {
  if (effects.length === 0) return;
  const run = await tx.run.findUniqueOrThrow({ where: { id: runId }, select: { installationId: true } });
  await tx.outboxEffect.createMany({
    data: effects.map((effect) => ({
      runId,
      key: effect.key,
      kind: effect.kind,
      installationId: run.installationId,
      payload: effect.payload as Prisma.InputJsonValue,
    })),
    skipDuplicates: true,
  });
}
