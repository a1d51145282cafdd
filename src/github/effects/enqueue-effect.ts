// A handler's answer on GitHub (a reaction, a reply), addressed and handed to the outbox's one writer.
import type { Prisma, PrismaClient } from "../../db/index.js";
import { type ReplyEffect, writeEffects } from "../../engine/index.js";

type Db = PrismaClient | Prisma.TransactionClient;

/** A reply effect without its repository: the address gives it. */
export type GitHubEffect = ReplyEffect extends infer E
  ? E extends ReplyEffect
    ? Omit<E, "repository">
    : never
  : never;

export interface EffectAddress {
  /** Idempotency key: the same key is written once, however often the cause is replayed. */
  key: string;
  installationId: number;
  /** `owner/name`. */
  repository: string;
  runId?: string | null;
}

/**
 * Writes a GitHub effect to the outbox; the effects worker delivers it (never inside a webhook request).
 * Pass the transaction that records its cause, so both commit or neither does.
 */
export async function enqueueEffect(db: Db, address: EffectAddress, effect: GitHubEffect): Promise<void> {
  await writeEffects(db, { runId: address.runId ?? null, installationId: address.installationId }, [
    { key: address.key, effect: { ...effect, repository: address.repository } as ReplyEffect },
  ]);
}
