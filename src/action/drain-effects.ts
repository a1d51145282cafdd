// Before the job ends, the outbox of this repository is delivered with the workflow token: replies,
// reactions, the sticky comment, the draft PR and the check run. An effect GitHub refused for now
// (a rate limit, a 5xx) is retried within the job's budget, unless a repository setting refused it;
// whatever is still pending afterwards stays in Postgres, and the next devflow job of the repository
// delivers it.
import type { PrismaClient } from "../db/index.js";
import type { EngineLog } from "../engine/index.js";
import { countRepositoryEffects } from "../engine/index.js";
import type { Octokit } from "../github/index.js";
import { deliverNextEffect, nextClaimableAt } from "../github/index.js";

export interface DrainOptions {
  prisma: PrismaClient;
  octokit: Octokit;
  repository: string;
  log: EngineLog;
  /** How long to keep retrying effects that were not delivered at the first try. */
  budgetMs: number;
}

export interface DrainResult {
  delivered: number;
  pending: number;
  failed: number;
  /** Updates GitHub refused because the workflow token may not open pull requests (a setting). */
  pullRequestsRefused: number;
}

/** GitHub's 403 message when "Allow GitHub Actions to create and approve pull requests" is off. */
export const ACTIONS_MAY_NOT_OPEN_PULLS = "not permitted to create or approve pull requests";

export async function drainEffects(options: DrainOptions): Promise<DrainResult> {
  const { prisma, repository } = options;
  const startedAt = new Date();
  const deadline = Date.now() + options.budgetMs;
  for (;;) {
    while (
      await deliverNextEffect({
        prisma,
        octokitFor: async () => options.octokit,
        log: options.log,
        repository,
        // The job delivers what it leaves behind at once: its run's states already coalesce here.
        settleSeconds: 0,
      })
    ) {
      // one effect claimed and delivered (or put back with a later due time)
    }
    // Not any pending effect's due time: a run's younger updates wait for its oldest one. Nor one that
    // GitHub refused for a repository setting: no retry within this job's minutes changes the setting
    // (the job says which one; the next job delivers it once it is changed).
    const next = await nextClaimableAt(prisma, repository, ACTIONS_MAY_NOT_OPEN_PULLS);
    if (!next || next.getTime() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, Math.max(50, next.getTime() - Date.now())));
  }
  const counts = await countRepositoryEffects(prisma, repository, startedAt, ACTIONS_MAY_NOT_OPEN_PULLS);
  return {
    delivered: counts.delivered,
    pending: counts.pending,
    failed: counts.failed,
    pullRequestsRefused: counts.withError,
  };
}
