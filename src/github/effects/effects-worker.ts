// Delivers the outbox to GitHub (DESIGN §1): claims due effects under a lease (several effects workers
// may run; a crashed one's claim expires; claim-effect.ts says which is next), delivers each
// idempotently, and records the result — a run's output coalesced (coalesce-run-effects.ts).
// GitHub's limits are per installation, and so is the pacing: Probot's installation clients carry the
// installation id as plugin-throttling's `id`, so each installation has its own write limiters. This
// worker therefore delivers one effect at a time per installation (in order) and installations side by
// side, so one installation's paced comments never hold up another's. A secondary rate limit's
// `retry-after` holds back every pending effect of that installation (not the others) until it passes;
// nothing is dropped. Other failures back off and are retried, up to a limit.
import type { OutboxEffect, PrismaClient } from "../../db/index.js";
import type { EngineLog } from "../../engine/index.js";
import { isDevflowError } from "../../errors/index.js";
import { claimNextEffect } from "./claim-effect.js";
import { coveredRunEffects, markDelivered } from "./coalesce-run-effects.js";
import { deliverEffect, type Octokit } from "./deliver-effect.js";

/** How long a run's passing state must last before GitHub is shown it (see claim-effect.ts). */
export const DEFAULT_SETTLE_SECONDS = 10;

export interface EffectsWorkerOptions {
  prisma: PrismaClient;
  /** An authenticated client for an installation (Probot's `app.auth(id)`). */
  octokitFor(installationId: number): Promise<Octokit>;
  log: EngineLog;
  /** devflow's public address (DEVFLOW_PUBLIC_URL), for links to the dashboard. */
  publicUrl?: string;
  /**
   * Only effects for this `owner/name` (the GitHub Action: its workflow token may act on its own
   * repository alone, while the database may hold other repositories' effects).
   */
  repository?: string;
  pollMs?: number;
  leaseSeconds?: number;
  maxAttempts?: number;
  /** Installations delivered to at once (one effect each). */
  maxInstallations?: number;
  /**
   * The webhook endpoint's load (acknowledgement-load.ts): answering GitHub comes first, so while
   * deliveries arrive in a burst the worker waits as long as this says before it starts an effect.
   */
  acknowledgements?: { waitBeforeStarting(lastStartedAt: number): number };
  /**
   * A run's queued/preparing/working state is shown on GitHub once it has lasted this long (default
   * DEFAULT_SETTLE_SECONDS); shorter ones are skipped. Gates, final reports and replies go out at once.
   */
  settleSeconds?: number;
}

function claimNext(options: EffectsWorkerOptions, busy: readonly bigint[]) {
  return claimNextEffect(options.prisma, {
    leaseSeconds: options.leaseSeconds ?? 60,
    busy,
    repository: options.repository ?? null,
    settleSeconds: options.settleSeconds ?? DEFAULT_SETTLE_SECONDS,
  });
}

function retryAfterSeconds(error: unknown): number | undefined {
  const failure = error as { status?: number; response?: { headers?: Record<string, string | undefined> } };
  if (failure.status !== 403 && failure.status !== 429) return undefined;
  const header = failure.response?.headers?.["retry-after"];
  const seconds = header === undefined ? Number.NaN : Number(header);
  return Number.isFinite(seconds) ? seconds : failure.status === 429 ? 60 : undefined;
}

async function deliverClaimed(options: EffectsWorkerOptions, effect: OutboxEffect): Promise<void> {
  const { prisma, log } = options;
  try {
    const octokit = await options.octokitFor(Number(effect.installationId));
    const covered = await coveredRunEffects(prisma, effect);
    const result = await deliverEffect(prisma, octokit, effect, {
      ...(options.publicUrl ? { publicUrl: options.publicUrl } : {}),
    });
    await markDelivered(prisma, effect, result, covered);
  } catch (error) {
    const message = (error as Error).message ?? String(error);
    if (isDevflowError(error, "effect_kind_unknown")) {
      // No retry can deliver it: failed at once and said aloud, never marked delivered.
      await prisma.outboxEffect.update({
        where: { id: effect.id },
        data: { state: "failed", lastError: message.slice(0, 2000) },
      });
      log.error({ effectId: effect.id, kind: effect.kind, err: message }, "effect of an unknown kind");
      return;
    }
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
    if (retryAfter !== undefined) {
      // The limit is the installation's: its other effects wait too, and stay in their order.
      const until = new Date(Date.now() + retryAfter * 1000);
      await prisma.outboxEffect.updateMany({
        where: {
          installationId: effect.installationId,
          state: "pending",
          notBefore: { lt: until },
          id: { not: effect.id },
        },
        data: { notBefore: until },
      });
    }
    log.warn(
      { effectId: effect.id, kind: effect.kind, retryAfter, exhausted, err: message },
      "effect not delivered yet",
    );
  }
}

/** Delivers one due effect, in the caller's own loop (the GitHub Action); false when none was due. */
export async function deliverNextEffect(options: EffectsWorkerOptions): Promise<boolean> {
  const effect = await claimNext(options, []);
  if (!effect) return false;
  await deliverClaimed(options, effect);
  return true;
}

export function startEffectsWorker(options: EffectsWorkerOptions): { stop(): Promise<void> } {
  let stopped = false;
  const inFlight = new Map<bigint, Promise<void>>();
  const maxInstallations = options.maxInstallations ?? 8;
  const pause = (ms: number) =>
    Promise.race([new Promise((resolve) => setTimeout(resolve, ms)), ...inFlight.values()]);
  let lastClaimAt = 0;
  const loop = (async () => {
    while (!stopped) {
      if (inFlight.size >= maxInstallations) {
        await Promise.race(inFlight.values());
        continue;
      }
      const wait = options.acknowledgements?.waitBeforeStarting(lastClaimAt) ?? 0;
      if (wait > 0) {
        await new Promise((resolve) => setTimeout(resolve, wait));
        continue;
      }
      lastClaimAt = Date.now();
      const effect = await claimNext(options, [...inFlight.keys()]).catch((error) => {
        options.log.error({ err: (error as Error).message }, "effects worker error");
        return undefined;
      });
      if (!effect?.installationId) {
        await pause(options.pollMs ?? 250);
        continue;
      }
      const installationId = effect.installationId;
      inFlight.set(
        installationId,
        deliverClaimed(options, effect)
          .catch((error) => options.log.error({ err: (error as Error).message }, "effects worker error"))
          .finally(() => inFlight.delete(installationId)),
      );
    }
    await Promise.all(inFlight.values());
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
    },
  };
}
