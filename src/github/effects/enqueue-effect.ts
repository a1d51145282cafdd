import type { Prisma, PrismaClient } from "../../db/generated/client.js";

type Db = PrismaClient | Prisma.TransactionClient;

export type GitHubEffect =
  | {
      kind: "reaction";
      target: { type: "issue"; number: number } | { type: "comment"; id: number };
      content: "eyes" | "+1" | "-1" | "confused";
    }
  | { kind: "comment.reply"; issueNumber: number; body: string };

export interface EffectAddress {
  /** Idempotency key: the same key is written once, however often the cause is replayed. */
  key: string;
  installationId: number;
  /** `owner/name`. */
  repository: string;
  runId?: string | null;
}

/** Writes a GitHub effect to the outbox; the effects worker delivers it (never inside a webhook request). */
export async function enqueueEffect(db: Db, address: EffectAddress, effect: GitHubEffect): Promise<void> {
  await db.outboxEffect.createMany({
    data: [
      {
        key: address.key,
        kind: effect.kind,
        runId: address.runId ?? null,
        installationId: BigInt(address.installationId),
        payload: { ...effect, repository: address.repository } as unknown as Prisma.InputJsonValue,
      },
    ],
    skipDuplicates: true,
  });
}
