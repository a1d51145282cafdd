-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "RunState" AS ENUM ('queued', 'preparing', 'executing', 'awaiting_approval', 'paused', 'completed', 'failed', 'aborted');

-- CreateEnum
CREATE TYPE "PhaseAttemptState" AS ENUM ('running', 'succeeded', 'failed', 'rejected', 'aborted');

-- CreateEnum
CREATE TYPE "SessionState" AS ENUM ('CREATED', 'READY', 'BUSY', 'STOPPED', 'FAILED_NEEDS_HUMAN');

-- CreateEnum
CREATE TYPE "ApprovalRequestState" AS ENUM ('pending', 'approved', 'rejected', 'aborted', 'superseded');

-- CreateEnum
CREATE TYPE "ApprovalAction" AS ENUM ('approve', 'reject', 'abort');

-- CreateEnum
CREATE TYPE "DecisionSource" AS ENUM ('comment', 'review', 'check_action', 'cli', 'api');

-- CreateEnum
CREATE TYPE "EffectState" AS ENUM ('pending', 'delivered', 'failed');

-- CreateTable
CREATE TABLE "WorkflowTemplate" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "hash" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "definition" JSONB NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "WorkflowTemplate_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AgentPersona" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "hash" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "definition" JSONB NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AgentPersona_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ArtifactSchema" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "hash" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "schema" JSONB NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ArtifactSchema_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Run" (
    "id" UUID NOT NULL,
    "state" "RunState" NOT NULL DEFAULT 'queued',
    "pausedFromState" "RunState",
    "version" INTEGER NOT NULL DEFAULT 0,
    "nextEventSeq" INTEGER NOT NULL DEFAULT 1,
    "templateHash" TEXT NOT NULL,
    "repository" TEXT NOT NULL,
    "cloneUrl" TEXT,
    "installationId" BIGINT,
    "issueNumber" INTEGER,
    "pullRequestNumber" INTEGER,
    "baseBranch" TEXT NOT NULL,
    "branch" TEXT,
    "headSha" TEXT,
    "requirements" TEXT NOT NULL,
    "currentPhaseKey" TEXT,
    "scenarios" JSONB,
    "hostId" TEXT,
    "failureCode" TEXT,
    "failureReason" TEXT,
    "reportPath" TEXT,
    "reportWrittenAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,
    "startedAt" TIMESTAMPTZ(3),
    "finishedAt" TIMESTAMPTZ(3),

    CONSTRAINT "Run_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RunEvent" (
    "id" BIGSERIAL NOT NULL,
    "runId" UUID NOT NULL,
    "seq" INTEGER NOT NULL,
    "type" TEXT NOT NULL,
    "payload" JSONB NOT NULL DEFAULT '{}',
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "RunEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PhaseAttempt" (
    "id" UUID NOT NULL,
    "runId" UUID NOT NULL,
    "phaseKey" TEXT NOT NULL,
    "attempt" INTEGER NOT NULL,
    "state" "PhaseAttemptState" NOT NULL DEFAULT 'running',
    "artifactPath" TEXT,
    "artifactSha256" TEXT,
    "artifact" JSONB,
    "checkpointSha" TEXT,
    "failureCode" TEXT,
    "failureReason" TEXT,
    "startedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMPTZ(3),

    CONSTRAINT "PhaseAttempt_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Session" (
    "id" UUID NOT NULL,
    "runId" UUID NOT NULL,
    "roleId" TEXT NOT NULL,
    "agent" TEXT NOT NULL,
    "backend" TEXT NOT NULL,
    "state" "SessionState" NOT NULL DEFAULT 'CREATED',
    "cwd" TEXT NOT NULL,
    "hostId" TEXT NOT NULL,
    "paneId" TEXT,
    "processId" INTEGER,
    "transcriptPath" TEXT,
    "recoveryAttempts" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Session_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PromptDelivery" (
    "id" UUID NOT NULL,
    "runId" UUID NOT NULL,
    "sessionId" UUID,
    "phaseKey" TEXT NOT NULL,
    "attempt" INTEGER NOT NULL,
    "dedupKey" TEXT NOT NULL,
    "envelope" JSONB NOT NULL,
    "sentAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "PromptDelivery_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ApprovalRequest" (
    "id" UUID NOT NULL,
    "runId" UUID NOT NULL,
    "gateKey" TEXT NOT NULL,
    "phaseId" UUID,
    "attempt" INTEGER NOT NULL,
    "state" "ApprovalRequestState" NOT NULL DEFAULT 'pending',
    "idempotencyKey" TEXT NOT NULL,
    "artifactSha256" TEXT,
    "headSha" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "decidedAt" TIMESTAMPTZ(3),

    CONSTRAINT "ApprovalRequest_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ApprovalDecision" (
    "id" UUID NOT NULL,
    "approvalRequestId" UUID NOT NULL,
    "action" "ApprovalAction" NOT NULL,
    "actor" TEXT NOT NULL,
    "source" "DecisionSource" NOT NULL,
    "clientToken" TEXT NOT NULL,
    "idempotencyKey" TEXT NOT NULL,
    "reason" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ApprovalDecision_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "WebhookDelivery" (
    "deliveryId" TEXT NOT NULL,
    "event" TEXT NOT NULL,
    "action" TEXT,
    "installationId" BIGINT,
    "repository" TEXT,
    "payloadSha256" TEXT NOT NULL,
    "receivedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "processedAt" TIMESTAMPTZ(3),
    "outcome" TEXT,

    CONSTRAINT "WebhookDelivery_pkey" PRIMARY KEY ("deliveryId")
);

-- CreateTable
CREATE TABLE "OutboxEffect" (
    "id" UUID NOT NULL,
    "runId" UUID,
    "key" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "installationId" BIGINT,
    "payload" JSONB NOT NULL,
    "state" "EffectState" NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "notBefore" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastError" TEXT,
    "result" JSONB,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deliveredAt" TIMESTAMPTZ(3),

    CONSTRAINT "OutboxEffect_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AuditEntry" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "runId" UUID,
    "repository" TEXT,
    "outcome" TEXT NOT NULL,
    "details" JSONB NOT NULL DEFAULT '{}',

    CONSTRAINT "AuditEntry_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "WorkflowTemplate_hash_key" ON "WorkflowTemplate"("hash");

-- CreateIndex
CREATE UNIQUE INDEX "WorkflowTemplate_name_version_key" ON "WorkflowTemplate"("name", "version");

-- CreateIndex
CREATE UNIQUE INDEX "AgentPersona_hash_key" ON "AgentPersona"("hash");

-- CreateIndex
CREATE UNIQUE INDEX "AgentPersona_name_version_key" ON "AgentPersona"("name", "version");

-- CreateIndex
CREATE UNIQUE INDEX "ArtifactSchema_hash_key" ON "ArtifactSchema"("hash");

-- CreateIndex
CREATE UNIQUE INDEX "ArtifactSchema_name_version_key" ON "ArtifactSchema"("name", "version");

-- CreateIndex
CREATE INDEX "Run_state_idx" ON "Run"("state");

-- CreateIndex
CREATE INDEX "Run_repository_issueNumber_idx" ON "Run"("repository", "issueNumber");

-- CreateIndex
CREATE UNIQUE INDEX "RunEvent_runId_seq_key" ON "RunEvent"("runId", "seq");

-- CreateIndex
CREATE UNIQUE INDEX "PhaseAttempt_runId_phaseKey_attempt_key" ON "PhaseAttempt"("runId", "phaseKey", "attempt");

-- CreateIndex
CREATE INDEX "Session_hostId_state_idx" ON "Session"("hostId", "state");

-- CreateIndex
CREATE UNIQUE INDEX "PromptDelivery_dedupKey_key" ON "PromptDelivery"("dedupKey");

-- CreateIndex
CREATE UNIQUE INDEX "ApprovalRequest_idempotencyKey_key" ON "ApprovalRequest"("idempotencyKey");

-- CreateIndex
CREATE INDEX "ApprovalRequest_runId_state_idx" ON "ApprovalRequest"("runId", "state");

-- CreateIndex
CREATE UNIQUE INDEX "ApprovalDecision_idempotencyKey_key" ON "ApprovalDecision"("idempotencyKey");

-- CreateIndex
CREATE UNIQUE INDEX "OutboxEffect_key_key" ON "OutboxEffect"("key");

-- CreateIndex
CREATE INDEX "OutboxEffect_state_notBefore_idx" ON "OutboxEffect"("state", "notBefore");

-- CreateIndex
CREATE INDEX "AuditEntry_runId_idx" ON "AuditEntry"("runId");

-- AddForeignKey
ALTER TABLE "Run" ADD CONSTRAINT "Run_templateHash_fkey" FOREIGN KEY ("templateHash") REFERENCES "WorkflowTemplate"("hash") ON DELETE RESTRICT ON UPDATE RESTRICT;

-- AddForeignKey
ALTER TABLE "RunEvent" ADD CONSTRAINT "RunEvent_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PhaseAttempt" ADD CONSTRAINT "PhaseAttempt_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Session" ADD CONSTRAINT "Session_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PromptDelivery" ADD CONSTRAINT "PromptDelivery_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PromptDelivery" ADD CONSTRAINT "PromptDelivery_sessionId_fkey" FOREIGN KEY ("sessionId") REFERENCES "Session"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ApprovalRequest" ADD CONSTRAINT "ApprovalRequest_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ApprovalRequest" ADD CONSTRAINT "ApprovalRequest_phaseId_fkey" FOREIGN KEY ("phaseId") REFERENCES "PhaseAttempt"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ApprovalDecision" ADD CONSTRAINT "ApprovalDecision_approvalRequestId_fkey" FOREIGN KEY ("approvalRequestId") REFERENCES "ApprovalRequest"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "OutboxEffect" ADD CONSTRAINT "OutboxEffect_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run"("id") ON DELETE CASCADE ON UPDATE CASCADE;
