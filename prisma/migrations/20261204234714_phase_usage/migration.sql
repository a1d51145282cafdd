-- CreateEnum
CREATE TYPE "UsageSource" AS ENUM ('stream', 'usage_file');

-- CreateTable
CREATE TABLE "PhaseUsage" (
    "id" UUID NOT NULL,
    "phaseAttemptId" UUID NOT NULL,
    "prompt" INTEGER NOT NULL DEFAULT 0,
    "source" "UsageSource" NOT NULL,
    "inputTokens" BIGINT NOT NULL,
    "outputTokens" BIGINT NOT NULL,
    "cacheReadTokens" BIGINT NOT NULL DEFAULT 0,
    "cacheWriteTokens" BIGINT NOT NULL DEFAULT 0,
    "model" TEXT,
    "costUsd" DECIMAL(20,10),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "PhaseUsage_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "PhaseUsage_phaseAttemptId_prompt_source_key" ON "PhaseUsage"("phaseAttemptId", "prompt", "source");

-- AddForeignKey
ALTER TABLE "PhaseUsage" ADD CONSTRAINT "PhaseUsage_phaseAttemptId_fkey" FOREIGN KEY ("phaseAttemptId") REFERENCES "PhaseAttempt"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Counts and costs are never negative (the usage comes from agents' output; the parsers clamp, the database checks).
ALTER TABLE "PhaseUsage" ADD CONSTRAINT "PhaseUsage_counts_non_negative" CHECK (
    "prompt" >= 0 AND "inputTokens" >= 0 AND "outputTokens" >= 0 AND "cacheReadTokens" >= 0
    AND "cacheWriteTokens" >= 0 AND ("costUsd" IS NULL OR "costUsd" >= 0)
);
