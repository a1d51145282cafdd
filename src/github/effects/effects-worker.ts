// Delivers the outbox to GitHub (DESIGN §1): claims one due effect at a time under a lease (several
// effects workers may run; a crashed one's claim expires), delivers it idempotently, and records the
// result. A secondary rate limit's `retry-after` is honoured by pushing the effect's due time, never by
// dropping it; other failures back off and are retried, up to a limit.
import type { OutboxEffect, PrismaClient } from "../../db/generated/client.js";
import type { EngineLog } from "../../engine/worker-context.js";
import { deliverEffect, type Octokit } from "./deliver-effect.js";

export interface EffectsWorkerOptions {
  prisma: PrismaClient;
  /** An authenticated client for an installation (Probot's `app.auth(id)`). */
  octokitFor(installationId: number): Promise<Octokit>;
  log: EngineLog;
  /**
   * Only effects for this `owner/name` (the GitHub Action: its workflow token may act on its own
   * repository alone, while the database may hold other repositories' effects).
   */
  repository?: string;
  pollMs?: number;
  leaseSeconds?: number;
  maxAttempts?: number;
}

async function claimNext(
  prisma: PrismaClient,
  leaseSeconds: number,
  repository: string | null,
): Promise<OutboxEffect | undefined> {
  // An effect names its repository in its payload (replies, reactions) or through its run (run output).
  const rows = await prisma.$queryRaw<OutboxEffect[]>`
    UPDATE "OutboxEffect" SET "notBefore" = now() + make_interval(secs => ${leaseSeconds}), "attempts" = "attempts" + 1
    WHERE "id" = (
      SELECT "id" FROM "OutboxEffect"
      WHERE "state" = 'pending' AND "notBefore" <= now() AND "installationId" IS NOT NULL
        AND (${repository}::text IS NULL OR "payload"->>'repository' = ${repository}
          OR "runId" IN (SELECT "id" FROM "Run" WHERE "repository" = ${repository}))
      ORDER BY "createdAt" LIMIT 1 FOR UPDATE SKIP LOCKED)
    RETURNING *`;
  return rows[0];
}

function retryAfterSeconds(error: unknown): number | undefined {
  const failure = error as { status?: number; response?: { headers?: Record<string, string | undefined> } };
  if (failure.status !== 403 && failure.status !== 429) return undefined;
  const header = failure.response?.headers?.["retry-after"];
  const seconds = header === undefined ? Number.NaN : Number(header);
  return Number.isFinite(seconds) ? seconds : failure.status === 429 ? 60 : undefined;
}

/** Delivers one due effect; false when none was due. */
export async function deliverNextEffect(options: EffectsWorkerOptions): Promise<boolean> {
  const { prisma, log } = options;
  const effect = await claimNext(prisma, options.leaseSeconds ?? 60, options.repository ?? null);
  if (!effect) return false;
  try {
    const octokit = await options.octokitFor(Number(effect.installationId));
    const result = await deliverEffect(prisma, octokit, effect);
    await prisma.outboxEffect.update({
      where: { id: effect.id },
      // lastError stays: what went wrong before the delivery is history worth keeping.
      data: { state: "delivered", deliveredAt: new Date(), result: result as object },
    });
    if (effect.runId && (effect.kind === "run.status" || effect.kind === "run.report")) {
      // It rendered the run as it is now: older status effects of the run have nothing left to say.
      await prisma.outboxEffect.updateMany({
        where: {
          runId: effect.runId,
          kind: "run.status",
          state: "pending",
          createdAt: { lte: effect.createdAt },
        },
        data: { state: "delivered", deliveredAt: new Date(), result: { coalescedInto: effect.id } },
      });
    }
  } catch (error) {
    const message = (error as Error).message ?? String(error);
    const retryAfter = retryAfterSeconds(error);
    const exhausted = retryAfter === undefined && effect.attempts >= (options.maxAttempts ?? 8);
    const delaySeconds = retryAfter ?? Math.min(300, 2 ** effect.attempts);
    await prisma.outboxEffect.update({
      where: { id: effect.id },
      data: {
        state: exhausted ? "failed" : "pending",
        notBefore: new Date(Date.now() + delaySeconds * 1000),
        lastError: message.slice(0, 2000),
        ...(retryAfter !== undefined ? { attempts: { decrement: 1 } } : {}), // a rate limit is not a failure
      },
    });
    log.warn(
      { effectId: effect.id, kind: effect.kind, retryAfter, exhausted, err: message },
      "effect not delivered yet",
    );
  }
  return true;
}

export function startEffectsWorker(options: EffectsWorkerOptions): { stop(): Promise<void> } {
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const delivered = await deliverNextEffect(options).catch((error) => {
        options.log.error({ err: (error as Error).message }, "effects worker error");
        return false;
      });
      if (!delivered) await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 250));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
    },
  };
}
