// Who may see and steer which run, asked of GitHub as the run's installation: reading needs any
// permission on the repository (cached briefly, so a page of runs is not a burst of calls); deciding
// goes through authorizeSender, the very check a `/approve` comment goes through.

import { isDevflowError } from "../../errors/index.js";
import type { AuthorizationDecision, EventContext, GitHubDeps } from "../../github/index.js";
import { authorizeSender } from "../../github/index.js";

/** A permission lookup GitHub did not answer (permission-lookup.ts): neither a yes nor a no. */
function unanswered(error: unknown): boolean {
  return isDevflowError(error) && error.code === "permission_lookup_failed";
}

export type RepositoryContextOf = (
  installationId: bigint,
  fullName: string,
) => Promise<EventContext | undefined>;

export class RepositoryAccess {
  readonly #cache = new Map<string, { readable: boolean; until: number }>();

  constructor(
    private readonly contextOf: RepositoryContextOf,
    private readonly deps: GitHubDeps,
    private readonly ttlMs = 60_000,
  ) {}

  /** False for a run without an installation (a local run): GitHub cannot vouch for who may see it. */
  async canRead(login: string, run: { repository: string; installationId: bigint | null }): Promise<boolean> {
    if (run.installationId === null) return false;
    const key = `${login.toLowerCase()}\n${run.repository}`;
    const cached = this.#cache.get(key);
    if (cached && cached.until > Date.now()) return cached.readable;
    const ctx = await this.contextOf(run.installationId, run.repository).catch(() => undefined);
    let answer: Awaited<ReturnType<EventContext["permissionOf"]>>;
    try {
      answer = ctx ? await ctx.permissionOf(login) : { failed: true };
    } catch (error) {
      // GitHub did not answer: not shown this time, and not remembered as "no" either.
      if (unanswered(error)) return false;
      throw error;
    }
    const readable = !("failed" in answer) && answer.permission !== "none";
    this.#cache.set(key, { readable, until: Date.now() + this.ttlMs });
    return readable;
  }

  /** Asked afresh for every action (never cached): a revoked permission takes effect at once. */
  async mayDecide(
    login: string,
    run: { repository: string; installationId: bigint | null },
  ): Promise<AuthorizationDecision> {
    const refused = (reason: string, unanswered?: true): AuthorizationDecision => ({
      allowed: false,
      reason,
      whoMay: "nobody here",
      ...(unanswered && { unanswered }),
    });
    if (run.installationId === null) return refused("This run has no GitHub installation to ask.");
    const ctx = await this.contextOf(run.installationId, run.repository).catch(() => undefined);
    if (!ctx) return refused("devflow could not ask GitHub who may decide, so nothing was decided.", true);
    try {
      const { decides } = await authorizeSender(this.deps, ctx, { login, type: "User" });
      return decides;
    } catch (error) {
      if (!unanswered(error)) throw error;
      return refused(
        `GitHub did not answer the permission check for @${login}, so nothing was decided. Try again in a moment.`,
        true,
      );
    }
  }
}
