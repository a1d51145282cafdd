// `.github/devflow.yml` per repository, kept in Postgres so every web process shares it: reading it
// through Probot costs two GitHub calls (the repository's file, then the organization's `.github`
// fallback). A push to the repository's default branch marks the entry stale (`forgetRepositoryConfig`);
// so does age (`ttlMs`). A read that started before the push never overwrites the mark: an entry is only
// replaced by a read that began after the entry's own time.
import type { PrismaClient } from "../../db/index.js";

/** How long a repository's config is trusted without a push to say it changed. */
export const REPOSITORY_CONFIG_TTL_MS = 10 * 60_000;

interface CacheRow {
  config: unknown;
  fetchedAt: Date;
}

export async function cachedRepositoryConfig(
  prisma: PrismaClient,
  repository: string,
  read: () => Promise<unknown>,
  ttlMs = REPOSITORY_CONFIG_TTL_MS,
): Promise<unknown> {
  const key = repository.toLowerCase();
  const rows = await prisma.$queryRaw<CacheRow[]>`
    SELECT "config", "fetchedAt" FROM "RepositoryConfigCache" WHERE "repository" = ${key}`;
  const row = rows[0];
  if (row && row.config !== null && Date.now() - row.fetchedAt.getTime() < ttlMs) return row.config;
  const startedAt = new Date();
  const config = await read();
  await prisma.$executeRaw`
    INSERT INTO "RepositoryConfigCache" ("repository", "config", "fetchedAt")
    VALUES (${key}, ${JSON.stringify(config ?? {})}::jsonb, ${startedAt})
    ON CONFLICT ("repository") DO UPDATE SET "config" = excluded."config", "fetchedAt" = excluded."fetchedAt"
    WHERE "RepositoryConfigCache"."fetchedAt" <= excluded."fetchedAt"`;
  return config;
}

/**
 * Marks a repository's config stale (a push to its default branch). A push to an owner's `.github`
 * repository marks all of the owner's: Probot falls back to that repository's file.
 */
export async function forgetRepositoryConfig(prisma: PrismaClient, repository: string): Promise<void> {
  const key = repository.toLowerCase();
  const [owner, name] = key.split("/");
  const now = new Date();
  if (name === ".github") {
    await prisma.$executeRaw`
      UPDATE "RepositoryConfigCache" SET "config" = 'null'::jsonb, "fetchedAt" = ${now}
      WHERE "repository" LIKE ${`${owner}/%`}`;
    return;
  }
  await prisma.$executeRaw`
    INSERT INTO "RepositoryConfigCache" ("repository", "config", "fetchedAt")
    VALUES (${key}, 'null'::jsonb, ${now})
    ON CONFLICT ("repository") DO UPDATE SET "config" = 'null'::jsonb, "fetchedAt" = ${now}`;
}
