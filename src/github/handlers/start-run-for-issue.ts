// An authorized trigger (the label, or `/devflow run`) starts a run for an issue: the repository's config
// read from the default branch and validated, one active run per issue, then the engine records and
// enqueues. Authorization happens before (authorize-sender.ts); this module never decides who may.

import { createHash } from "node:crypto";
import { parseRepositoryConfig, type RepositoryConfig } from "../../config/index.js";
import type { Prisma } from "../../db/index.js";
import { activeRunOf } from "../../engine/index.js";
import { DevflowError, isDevflowError } from "../../errors/index.js";
import { enqueueEffect } from "../effects/enqueue-effect.js";
import type { EventContext } from "../event-context.js";
import { audit } from "../intake/audit.js";
import type { GitHubDeps } from "./github-deps.js";

export interface IssueFacts {
  number: number;
  title: string;
  body: string | null;
  author: string;
}

export interface Trigger {
  kind: "label" | "command";
  actor: string;
  /** The comment that carried `/devflow run` (its reaction target). */
  commentId?: number;
  template?: string;
}

export async function loadRepositoryConfig(deps: GitHubDeps, ctx: EventContext): Promise<RepositoryConfig> {
  return parseRepositoryConfig(await ctx.loadRepositoryConfig(), {
    operatorAgents: Object.keys(deps.serverConfig.agents),
    serverBudgets: deps.serverConfig.budgets,
  });
}

function issueLockKey(repository: string, issue: number): bigint {
  return createHash("sha256").update(`devflow:issue:${repository}#${issue}`).digest().readBigInt64BE(0);
}

/** Inside the creating transaction: one active run per issue, serialized per issue. */
function oneActiveRunPerIssue(repository: string, issue: number) {
  return async (tx: Prisma.TransactionClient) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${issueLockKey(repository, issue)})`;
    const active = await activeRunOf(tx, repository, issue);
    if (active) {
      throw new DevflowError(
        `Issue #${issue} already has an active devflow run (${active.id}, ${active.state}).`,
        {
          code: "run_already_active",
          details: { runId: active.id },
        },
      );
    }
  };
}

export type StartOutcome = { runId: string } | { refusal: string };

/**
 * Starts a run for an authorized trigger. A trigger that starts nothing is audited and answered with
 * the refusal's text, which the caller puts in its one reply.
 */
export async function startRunForIssue(
  deps: GitHubDeps,
  ctx: EventContext,
  issue: IssueFacts,
  trigger: Trigger,
): Promise<StartOutcome> {
  const address = { installationId: ctx.installationId, repository: ctx.repository.fullName };
  const refuse = async (error: DevflowError): Promise<StartOutcome> => {
    await audit(deps.prisma, {
      actor: trigger.actor,
      action: `trigger.${trigger.kind}`,
      source: "github",
      outcome: "refused",
      repository: ctx.repository.fullName,
      details: { reason: error.code, deliveryId: ctx.deliveryId },
    });
    return { refusal: `devflow did not start a run: ${error.message}\n\n${error.recoveryHint}` };
  };
  let config: RepositoryConfig;
  try {
    config = await loadRepositoryConfig(deps, ctx);
  } catch (error) {
    if (!isDevflowError(error, "invalid_repository_config")) throw error;
    return refuse(error);
  }
  try {
    const { runId } = await deps.engine.startRun(
      {
        repository: ctx.repository.fullName,
        cloneUrl: ctx.repository.cloneUrl,
        baseBranch: ctx.repository.defaultBranch,
        requirements: `# ${issue.title}\n\n${issue.body ?? ""}`.trim(),
        title: issue.title,
        issueNumber: issue.number,
        installationId: BigInt(ctx.installationId),
        ...((trigger.template ?? config.template) ? { template: trigger.template ?? config.template } : {}),
        ...(config.gates ? { gates: config.gates } : {}),
        ...(config.agents ? { agents: config.agents } : {}),
        ...(config.budgets ? { budgets: config.budgets } : {}),
      },
      {
        guard: oneActiveRunPerIssue(ctx.repository.fullName, issue.number),
        // The trigger's reaction and audit row commit with the run: a crash leaves all or nothing.
        alsoRecord: async (tx, runId) => {
          const target = trigger.commentId
            ? { type: "comment" as const, id: trigger.commentId }
            : { type: "issue" as const, number: issue.number };
          await enqueueEffect(
            tx,
            { ...address, key: `${ctx.deliveryId}:eyes`, runId },
            { kind: "reaction", target, content: "eyes" },
          );
          await audit(tx, {
            actor: trigger.actor,
            action: `trigger.${trigger.kind}`,
            source: "github",
            outcome: "accepted",
            runId,
            repository: ctx.repository.fullName,
            details: { deliveryId: ctx.deliveryId },
          });
        },
      },
    );
    return { runId };
  } catch (error) {
    if (!isDevflowError(error) || error.class !== "bad_input") throw error;
    return refuse(error);
  }
}
