-- CreateEnum
CREATE TYPE "RevisionRequestState" AS ENUM ('queued', 'started', 'cancelled');

-- AlterTable
ALTER TABLE "Run" ADD COLUMN     "revision" INTEGER NOT NULL DEFAULT 1,
ADD COLUMN     "revisionOf" UUID;

-- CreateTable
CREATE TABLE "RevisionRequest" (
    "id" UUID NOT NULL,
    "firstRunId" UUID NOT NULL,
    "revisionRunId" UUID,
    "state" "RevisionRequestState" NOT NULL DEFAULT 'queued',
    "idempotencyKey" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "source" "DecisionSource" NOT NULL,
    "number" INTEGER NOT NULL,
    "text" TEXT NOT NULL,
    "comments" JSONB NOT NULL DEFAULT '[]',
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" TIMESTAMPTZ(3),

    CONSTRAINT "RevisionRequest_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "RevisionRequest_idempotencyKey_key" ON "RevisionRequest"("idempotencyKey");

-- CreateIndex
CREATE INDEX "RevisionRequest_firstRunId_state_idx" ON "RevisionRequest"("firstRunId", "state");

-- CreateIndex
CREATE UNIQUE INDEX "Run_revisionOf_revision_key" ON "Run"("revisionOf", "revision");

-- AddForeignKey
ALTER TABLE "Run" ADD CONSTRAINT "Run_revisionOf_fkey" FOREIGN KEY ("revisionOf") REFERENCES "Run"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RevisionRequest" ADD CONSTRAINT "RevisionRequest_firstRunId_fkey" FOREIGN KEY ("firstRunId") REFERENCES "Run"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RevisionRequest" ADD CONSTRAINT "RevisionRequest_revisionRunId_fkey" FOREIGN KEY ("revisionRunId") REFERENCES "Run"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- Written by hand (Prisma does not model CHECK constraints, so this is no drift): a first run is
-- revision 1 and revises nothing; a revision names the first run of its chain and is number 2 or more.
ALTER TABLE "Run" ADD CONSTRAINT "Run_revision_numbering" CHECK (
  ("revisionOf" IS NULL AND "revision" = 1) OR ("revisionOf" IS NOT NULL AND "revision" >= 2)
);
