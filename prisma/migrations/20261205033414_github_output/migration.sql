-- CreateTable
CREATE TABLE "GitHubOutput" (
    "runId" UUID NOT NULL,
    "target" TEXT NOT NULL,
    "objectId" BIGINT,
    "sentSha256" TEXT,
    "creating" TEXT,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "GitHubOutput_pkey" PRIMARY KEY ("runId","target")
);

-- CreateIndex
CREATE INDEX "OutboxEffect_runId_state_idx" ON "OutboxEffect"("runId", "state");

-- AddForeignKey
ALTER TABLE "GitHubOutput" ADD CONSTRAINT "GitHubOutput_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run"("id") ON DELETE CASCADE ON UPDATE CASCADE;
