// Which effect the effects worker delivers next, claimed under a lease (several effects workers may run;
// a crashed one's claim expires): a due effect of an installation not already being delivered to, with
// these rules for a run's own output (run.status, run.report — each delivery renders the run as it is
// now, so the newest says all):
// - one claim at a time per run: only its oldest pending run effect can be claimed, and its delivery
//   coalesces the others (coalesce-run-effects.ts);
// - it waits while the run's newest state is one it may soon leave (queued, preparing, a phase running,
//   or ended with the report still being written) and is younger than `settleSeconds`: a state that
//   lasts less is never sent;
// - under a backlog, what people wait for goes first: replies, reactions, and runs whose newest state is
//   a gate (awaiting_approval, paused) or their final report, oldest first; then runs whose newest
//   state is a passing one, oldest first. Nothing is dropped, but a passing state still waiting when the
//   run reaches its gate is never sent.
import type { OutboxEffect, PrismaClient } from "../../db/index.js";

export interface ClaimOptions {
  leaseSeconds: number;
  /** Installations this worker is delivering to already. */
  busy: readonly bigint[];
  /** Only effects of this `owner/name` (named in the payload, or through the effect's run). */
  repository: string | null;
  settleSeconds: number;
}

export async function claimNextEffect(
  prisma: PrismaClient,
  { leaseSeconds, busy, repository, settleSeconds }: ClaimOptions,
): Promise<OutboxEffect | undefined> {
  const rows = await prisma.$queryRaw<OutboxEffect[]>`
    UPDATE "OutboxEffect" SET "notBefore" = now() + make_interval(secs => ${leaseSeconds}), "attempts" = "attempts" + 1
    WHERE "id" = (
      SELECT e."id" FROM "OutboxEffect" e
      LEFT JOIN LATERAL (
        SELECT n."createdAt", n."kind" = 'run.status'
            AND n."payload"->>'state' NOT IN ('awaiting_approval', 'paused') AS "passing"
        FROM "OutboxEffect" n
        WHERE e."kind" IN ('run.status', 'run.report') AND n."runId" = e."runId" AND n."state" = 'pending'
          AND n."kind" IN ('run.status', 'run.report')
        ORDER BY n."createdAt" DESC, (n."kind" = 'run.report') DESC LIMIT 1
      ) newest ON true
      WHERE e."state" = 'pending' AND e."notBefore" <= now() AND e."installationId" IS NOT NULL
        AND NOT (e."installationId" = ANY(${busy}::bigint[]))
        AND (${repository}::text IS NULL OR e."payload"->>'repository' = ${repository}
          OR e."runId" IN (SELECT "id" FROM "Run" WHERE "repository" = ${repository}))
        AND (e."runId" IS NULL OR e."kind" NOT IN ('run.status', 'run.report') OR (
          NOT EXISTS (
            SELECT 1 FROM "OutboxEffect" o
            WHERE o."runId" = e."runId" AND o."state" = 'pending' AND o."kind" IN ('run.status', 'run.report')
              AND (o."createdAt", o."id") < (e."createdAt", e."id"))
          AND NOT (newest."passing" AND newest."createdAt" > now() - make_interval(secs => ${settleSeconds}))))
      ORDER BY COALESCE(newest."passing", false), e."createdAt"
      LIMIT 1 FOR UPDATE OF e SKIP LOCKED)
    RETURNING *`;
  return rows[0];
}

/**
 * When an effect of `repository` can next be claimed (ignoring the settle time): the earliest due time
 * of its replies and of each run's oldest pending run effect — a run's younger ones wait for that one.
 * Effects whose last error contains `unlessErrorContains` are left out (no retry soon can deliver them).
 */
export async function nextClaimableAt(
  prisma: PrismaClient,
  repository: string,
  unlessErrorContains?: string,
): Promise<Date | undefined> {
  const hopeless = unlessErrorContains ?? null;
  const rows = await prisma.$queryRaw<{ at: Date | null }[]>`
    SELECT min(e."notBefore") AS "at" FROM "OutboxEffect" e
    WHERE e."state" = 'pending' AND e."installationId" IS NOT NULL
      AND (${hopeless}::text IS NULL OR strpos(coalesce(e."lastError", ''), ${hopeless}::text) = 0)
      AND (e."payload"->>'repository' = ${repository}
        OR e."runId" IN (SELECT "id" FROM "Run" WHERE "repository" = ${repository}))
      AND (e."runId" IS NULL OR e."kind" NOT IN ('run.status', 'run.report') OR NOT EXISTS (
        SELECT 1 FROM "OutboxEffect" o
        WHERE o."runId" = e."runId" AND o."state" = 'pending' AND o."kind" IN ('run.status', 'run.report')
          AND (o."createdAt", o."id") < (e."createdAt", e."id")))`;
  return rows[0]?.at ?? undefined;
}
