// The outbox (DESIGN §2): every GitHub effect devflow means to cause, as one typed union, written by
// one writer — in the caller's transaction, so a transition and its effects commit together — and
// read back by `readEffect`, which refuses a kind it does not know instead of letting it pass.
import type { OutboxEffect, Prisma, PrismaClient } from "../db/index.js";
import { DevflowError } from "../errors/index.js";
import type { RunState } from "./run-states.js";

type Db = PrismaClient | Prisma.TransactionClient;

/** Effects that show a run as it is now: delivered by re-rendering the run, so the newest says all. */
export type RunEffect =
  | { kind: "run.status"; state: RunState; phaseKey: string | null }
  | { kind: "run.report"; path: string };

/** Answers to a person on GitHub, each delivered once. */
export type ReplyEffect =
  | {
      kind: "reaction";
      /** `owner/name`. */
      repository: string;
      target: { type: "issue"; number: number } | { type: "comment"; id: number };
      content: "eyes" | "+1" | "-1" | "confused";
    }
  | { kind: "comment.reply"; repository: string; issueNumber: number; body: string };

export type Effect = RunEffect | ReplyEffect;
export type EffectKind = Effect["kind"];

const EFFECT_KINDS: ReadonlySet<string> = new Set<EffectKind>([
  "run.status",
  "run.report",
  "reaction",
  "comment.reply",
]);

export interface NewEffect {
  /** Idempotency key: a replayed cause writes the same key, and the duplicate is ignored. */
  key: string;
  effect: Effect;
}

export interface EffectAddress {
  runId?: string | null;
  /** The GitHub App installation that delivers it; read from the run when not given. */
  installationId?: bigint | number | null;
}

/** The one writer of the outbox. Effects of a run without an installation (a local run) are not written. */
export async function writeEffects(
  db: Db,
  address: EffectAddress,
  effects: readonly NewEffect[],
): Promise<void> {
  if (effects.length === 0) return;
  const runId = address.runId ?? null;
  let installationId = address.installationId ?? null;
  if (installationId === null && runId !== null && address.installationId === undefined) {
    const run = await db.run.findUniqueOrThrow({ where: { id: runId }, select: { installationId: true } });
    installationId = run.installationId;
  }
  if (installationId === null) return;
  await db.outboxEffect.createMany({
    data: effects.map(({ key, effect }) => {
      const { kind, ...payload } = effect;
      return {
        key,
        kind,
        runId,
        installationId: BigInt(installationId),
        payload: payload as Prisma.InputJsonValue,
      };
    }),
    skipDuplicates: true,
  });
}

/** The effect a stored row holds; an unknown kind throws `effect_kind_unknown` (it is never dropped). */
export function readEffect(row: Pick<OutboxEffect, "id" | "kind" | "payload">): Effect {
  if (!EFFECT_KINDS.has(row.kind)) {
    throw new DevflowError(`Outbox effect ${row.id} has the unknown kind "${row.kind}".`, {
      code: "effect_kind_unknown",
      details: { effectId: row.id, kind: row.kind },
    });
  }
  const payload = (row.payload ?? {}) as Record<string, unknown>;
  return { ...payload, kind: row.kind } as Effect;
}
