// Delivers one outbox effect to GitHub. Every delivery is idempotent: ids GitHub gave us are stored on
// the run, and a create that may have happened before a crash is found again by its marker (comments,
// PRs) or its external id (check runs) instead of being made twice. A run effect renders the run as it
// is now (sync-run-output.ts), so the newest one says all: the effects worker coalesces the others.
import type { OutboxEffect, PrismaClient } from "../../db/index.js";
import { type Effect, readEffect } from "../../engine/index.js";
import { DevflowError } from "../../errors/index.js";
import { findComment, type Octokit, repoOf } from "./effect-octokit.js";
import { syncRunOutput } from "./sync-run-output.js";

export type { Octokit } from "./effect-octokit.js";

export interface DeliverOptions {
  /** devflow's public address (DEVFLOW_PUBLIC_URL): the check run links to the run's dashboard page. */
  readonly publicUrl?: string;
}

/** Delivers one stored effect; a kind this switch does not know throws `effect_kind_unknown`. */
export async function deliverEffect(
  prisma: PrismaClient,
  octokit: Octokit,
  row: OutboxEffect,
  options: DeliverOptions = {},
): Promise<Record<string, unknown>> {
  const effect = readEffect(row);
  switch (effect.kind) {
    case "run.status":
    case "run.report":
      if (!row.runId) return { skipped: "no run" };
      return syncRunOutput(prisma, octokit, row.runId, options);
    case "reaction":
      return react(octokit, effect);
    case "comment.reply":
      return reply(octokit, row, effect);
    default:
      return unknownKind(row, effect);
  }
}

function unknownKind(row: OutboxEffect, effect: never): never {
  throw new DevflowError(`Outbox effect ${row.id} has a kind no delivery handles.`, {
    code: "effect_kind_unknown",
    details: { effectId: row.id, kind: (effect as { kind?: unknown }).kind },
  });
}

async function react(octokit: Octokit, effect: Extract<Effect, { kind: "reaction" }>) {
  const repo = repoOf(effect.repository);
  // GitHub answers an existing identical reaction with 200: reacting twice is harmless.
  const { data } =
    effect.target.type === "comment"
      ? await octokit.rest.reactions.createForIssueComment({
          ...repo,
          comment_id: effect.target.id,
          content: effect.content,
        })
      : await octokit.rest.reactions.createForIssue({
          ...repo,
          issue_number: effect.target.number,
          content: effect.content,
        });
  return { reactionId: data.id };
}

async function reply(
  octokit: Octokit,
  row: Pick<OutboxEffect, "key" | "attempts">,
  effect: Extract<Effect, { kind: "comment.reply" }>,
) {
  const repo = repoOf(effect.repository);
  const marker = `<!-- devflow:reply:${row.key} -->`;
  // Only an earlier attempt (claims count them) can have posted it already: then look before posting.
  const existing =
    row.attempts > 1 ? await findComment(octokit, repo, effect.issueNumber, marker) : undefined;
  if (existing) return { commentId: existing };
  const { data } = await octokit.rest.issues.createComment({
    ...repo,
    issue_number: effect.issueNumber,
    body: `${effect.body}\n\n${marker}`,
  });
  return { commentId: data.id };
}
