-- AlterTable
ALTER TABLE "PhaseAttempt" ADD COLUMN     "diffStat" JSONB;

-- AlterTable
ALTER TABLE "PhaseUsage" ADD COLUMN     "commands" JSONB;

-- CreateIndex
CREATE INDEX "RunEvent_type_idx" ON "RunEvent"("type");
