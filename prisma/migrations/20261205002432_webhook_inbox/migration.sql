-- AlterTable
ALTER TABLE "WebhookDelivery" ADD COLUMN     "attempts" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "body" TEXT,
ADD COLUMN     "lastError" TEXT,
ADD COLUMN     "notBefore" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
ADD COLUMN     "orderKey" TEXT;

-- CreateTable
CREATE TABLE "RepositoryConfigCache" (
    "repository" TEXT NOT NULL,
    "config" JSONB NOT NULL,
    "fetchedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "RepositoryConfigCache_pkey" PRIMARY KEY ("repository")
);

-- CreateIndex
CREATE INDEX "WebhookDelivery_processedAt_notBefore_idx" ON "WebhookDelivery"("processedAt", "notBefore");

-- CreateIndex
CREATE INDEX "WebhookDelivery_orderKey_receivedAt_idx" ON "WebhookDelivery"("orderKey", "receivedAt");
