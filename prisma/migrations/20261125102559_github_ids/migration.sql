-- AlterTable
ALTER TABLE "Run" ADD COLUMN     "checkRunHeadSha" TEXT,
ADD COLUMN     "checkRunId" BIGINT,
ADD COLUMN     "statusCommentId" BIGINT;
