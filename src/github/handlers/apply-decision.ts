// A decision command (`/approve`, `/reject`, `/abort`, `/retry`, or a check-run button) from a sender
// already allowed to use devflow's commands: the config's rule on the issue's own author, the source's
// staleness, then the engine. What happened goes into the comment's one reply and the audit log.
import type { DecisionSource, Run } from "../../db/index.js";
import { isDevflowError } from "../../errors/index.js";
import type { AuthorizationDecision } from "../authorization/decide-authorization.js";
import type { ParsedCommand } from "../commands/parse-commands.js";
import { enqueueEffect } from "../effects/enqueue-effect.js";
import type { EventContext, Sender } from "../event-context.js";
import type { CommandReply } from "./command-reply.js";
import type { GitHubDeps } from "./github-deps.js";

export type DecisionCommand = Extract<ParsedCommand, { name: "approve" | "reject" | "abort" | "retry" }>;

export type RecordOutcome = (
  outcome: "accepted" | "refused" | "failed",
  runId: string,
  details?: Record<string, unknown>,
) => Promise<void>;

export interface DecisionRequest {
  deps: GitHubDeps;
  ctx: EventContext;
  sender: Sender;
  source: {
    kind: DecisionSource;
    id: number;
    reactable: boolean;
    clientToken?: string;
    stale?: string;
  };
  command: DecisionCommand;
  /** The command's position in its comment: part of its client token. */
  index: number;
  run: Run;
  /** The sender's authorization to decide on this run. */
  verdict: AuthorizationDecision;
  reply: CommandReply;
  record: RecordOutcome;
}

export function isDecision(command: ParsedCommand): command is DecisionCommand {
  return ["approve", "reject", "abort", "retry"].includes(command.name);
}

export async function applyDecision(request: DecisionRequest): Promise<void> {
  const { deps, ctx, sender, source, command, index, run, verdict, reply, record } = request;
  const refused = `@${sender.login} \`/${command.name}\` was not applied:`;
  if (!verdict.allowed) {
    reply.add(`${refused} ${verdict.reason} Who may decide here: ${verdict.whoMay}.`, run.id);
    await record("refused", run.id, { reason: verdict.reason });
    return;
  }
  if (source.stale) {
    reply.add(`${refused} ${source.stale}.`, run.id);
    await record("refused", run.id, { reason: "stale_source" });
    return;
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
    if (source.reactable) await acknowledgeCommand(deps, ctx, source.id, index, run.id);
    await record("accepted", run.id);
  } catch (error) {
    if (!isDevflowError(error) || error.class === "fatal") throw error;
    reply.add(`${refused} ${error.message} ${error.recoveryHint}`, run.id);
    await record("failed", run.id, { code: error.code });
  }
}

/** 👀 on the comment that held an applied command (keyed by delivery and position: sent once). */
export async function acknowledgeCommand(
  deps: GitHubDeps,
  ctx: EventContext,
  commentId: number,
  index: number,
  runId: string,
): Promise<void> {
  await enqueueEffect(
    deps.prisma,
    {
      key: `${ctx.deliveryId}:ack:${index}`,
      installationId: ctx.installationId,
      repository: ctx.repository.fullName,
      runId,
    },
    { kind: "reaction", target: { type: "comment", id: commentId }, content: "eyes" },
  );
}
