-- AlterTable
ALTER TABLE "PhaseAttempt" ADD COLUMN     "feedback" TEXT;

-- AlterTable
ALTER TABLE "Run" ADD COLUMN     "gates" TEXT[],
ADD COLUMN     "title" TEXT,
ADD COLUMN     "worktreePath" TEXT;

-- CreateIndex
CREATE INDEX "ApprovalDecision_approvalRequestId_idx" ON "ApprovalDecision"("approvalRequestId");
