-- AlterTable
ALTER TABLE "WebhookDelivery" ADD COLUMN     "eventKey" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "WebhookDelivery_eventKey_key" ON "WebhookDelivery"("eventKey");
