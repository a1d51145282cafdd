// Acts on the commands of a comment or review: authorization at decision time (fail closed), then the
// engine; every attempt audited; refusals and failures answered with a reply saying why and who may.
import type { DecisionSource } from "../../db/generated/client.js";
import { isDevflowError } from "../../errors/index.js";
import { decideAuthorization } from "../authorization/decide-authorization.js";
import { HELP_TEXT, type ParsedCommand } from "../commands/parse-commands.js";
import { enqueueEffect } from "../effects/enqueue-effect.js";
import type { EventContext, Sender } from "../event-context.js";
import { audit } from "../intake/audit.js";
import type { GitHubDeps } from "./github-deps.js";
import { loadRepositoryConfig, startRunForIssue } from "./start-run-for-issue.js";

export interface CommandSource {
  kind: DecisionSource; // "comment" | "review"
  /** The comment or review id: the client token that makes a replayed command harmless. */
  id: number;
  /** The issue or pull request number the text was posted on. */
  number: number;
  issue: { title: string; body: string | null; author: string };
  /** Comments can take a reaction; reviews cannot. */
  reactable: boolean;
  /** Overrides the client token made from `id` (a check run's button can be pressed many times). */
  clientToken?: string;
  /** Set when the source no longer shows what a decision would apply to: decisions are refused. */
  stale?: string;
}

const DECISIONS = new Set(["approve", "reject", "abort", "retry"]);

export async function executeCommands(
  deps: GitHubDeps,
  ctx: EventContext,
  sender: Sender,
  source: CommandSource,
  commands: ParsedCommand[],
): Promise<void> {
  const address = { installationId: ctx.installationId, repository: ctx.repository.fullName };
  const reply = (index: number, body: string, runId?: string) =>
    enqueueEffect(
      deps.prisma,
      { ...address, key: `${ctx.deliveryId}:reply:${index}`, runId: runId ?? null },
      { kind: "comment.reply", issueNumber: source.number, body },
    );
  const acknowledge = (index: number, runId?: string) =>
    source.reactable
      ? enqueueEffect(
          deps.prisma,
          { ...address, key: `${ctx.deliveryId}:ack:${index}`, runId: runId ?? null },
          { kind: "reaction", target: { type: "comment", id: source.id }, content: "eyes" },
        )
      : Promise.resolve();
  const record = (
    index: number,
    command: ParsedCommand,
    outcome: "accepted" | "refused" | "ignored" | "failed",
    runId?: string,
    details: Record<string, unknown> = {},
  ) =>
    audit(deps.prisma, {
      actor: sender.login,
      action: `command.${command.name}`,
      source: source.kind,
      outcome,
      runId: runId ?? null,
      repository: ctx.repository.fullName,
      details: { deliveryId: ctx.deliveryId, index, ...details },
    });

  for (const [index, command] of commands.entries()) {
    if (command.name === "help" || command.name === "unknown") {
      const prefix = command.name === "unknown" ? `devflow does not know \`/${command.word}\`.\n\n` : "";
      await reply(index, `${prefix}${HELP_TEXT}`);
      await record(index, command, command.name === "help" ? "accepted" : "ignored");
      continue;
    }
    if (command.name === "run") {
      await startRunForIssue(
        deps,
        ctx,
        { number: source.number, ...source.issue },
        {
          kind: "command",
          actor: sender.login,
          commentId: source.id,
          ...(command.template ? { template: command.template } : {}),
        },
      );
      continue;
    }
    const run = await deps.prisma.run.findFirst({
      where: {
        repository: ctx.repository.fullName,
        OR: [{ issueNumber: source.number }, { pullRequestNumber: source.number }],
      },
      orderBy: { createdAt: "desc" },
    });
    if (!run) {
      await reply(
        index,
        "There is no devflow run on this issue. Label it or comment `/devflow run` to start one.",
      );
      await record(index, command, "ignored", undefined, { reason: "no_run" });
      continue;
    }
    if (command.name === "status") {
      await reply(
        index,
        `devflow run \`${run.id}\` is **${run.state}**${run.currentPhaseKey ? ` (phase \`${run.currentPhaseKey}\`)` : ""}.`,
        run.id,
      );
      await record(index, command, "accepted", run.id);
      continue;
    }
    if (!DECISIONS.has(command.name)) continue;

    const config = await loadRepositoryConfig(deps, ctx).catch(() => undefined);
    const approvers = config?.approvers ?? { minPermission: "write" as const, allowIssueAuthor: true };
    const permission = await ctx.permissionOf(sender.login).catch(() => ({ failed: true as const }));
    const actorTeams = approvers.teams?.length
      ? await ctx.teamsOf(sender.login, approvers.teams).catch(() => [])
      : [];
    const verdict = decideAuthorization({
      actor: sender,
      permission,
      approvers,
      actorTeams,
      issueAuthor: source.issue.author,
    });
    if (!verdict.allowed) {
      await reply(
        index,
        `@${sender.login} \`/${command.name}\` was not applied: ${verdict.reason} Who may decide here: ${verdict.whoMay}.`,
        run.id,
      );
      await record(index, command, "refused", run.id, { reason: verdict.reason });
      continue;
    }
    if (source.stale) {
      await reply(index, `@${sender.login} \`/${command.name}\` was not applied: ${source.stale}.`, run.id);
      await record(index, command, "refused", run.id, { reason: "stale_source" });
      continue;
    }
    const clientToken = source.clientToken ?? `${source.kind}-${source.id}-${index}`;
    try {
      if (command.name === "approve" || command.name === "reject") {
        await deps.engine.decide({
          runId: run.id,
          ...(command.name === "approve" && command.gate ? { gateKey: command.gate } : {}),
          action: command.name,
          clientToken,
          actor: sender.login,
          source: source.kind,
          ...(command.name === "reject" ? { reason: command.reason || "Rejected without a reason." } : {}),
        });
      } else if (command.name === "abort") {
        await deps.engine.abort(run.id, sender.login, source.kind, clientToken);
      } else {
        await deps.engine.retry(run.id, sender.login, source.kind, clientToken);
      }
      await acknowledge(index, run.id);
      await record(index, command, "accepted", run.id);
    } catch (error) {
      if (!isDevflowError(error) || error.class === "fatal") throw error;
      await reply(
        index,
        `@${sender.login} \`/${command.name}\` was not applied: ${error.message} ${error.recoveryHint}`,
        run.id,
      );
      await record(index, command, "failed", run.id, { code: error.code });
    }
  }
}
