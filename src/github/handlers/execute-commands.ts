// Acts on the commands of a comment, review or check-run button. The sender is authorized first, for
// every command (`/devflow run`, `/help` and `/status` included; fail closed), and only then does the
// engine act. Every attempt is audited. A comment gets at most one reply and only its first N commands
// are read (server config `commands.maxPerComment`), so a comment of hundreds of commands costs one
// permission check, at most N + 1 audit rows and one GitHub write.

import type { DecisionSource } from "../../db/index.js";
import { latestRunOf } from "../../engine/index.js";
import { authorizeSender, isBot } from "../authorization/authorize-sender.js";
import type { AuthorizationDecision } from "../authorization/decide-authorization.js";
import { HELP_TEXT, type ParsedCommand } from "../commands/parse-commands.js";
import type { EventContext, Sender } from "../event-context.js";
import { audit } from "../intake/audit.js";
import { applyDecision, isDecision, type RecordOutcome } from "./apply-decision.js";
import { applyRevise } from "./apply-revise.js";
import { CommandReply } from "./command-reply.js";
import type { GitHubDeps } from "./github-deps.js";
import { startRunForIssue } from "./start-run-for-issue.js";
import { statusReply } from "./status-reply.js";

export interface CommandSource {
  kind: DecisionSource; // "comment" | "review" | "check_action"
  /** The comment or review id: the client token that makes a replayed command harmless (a review's
   * inline comments belong to its `/devflow revise`). */
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

type Outcome = "accepted" | "refused" | "ignored" | "failed";

/** How a command is named in replies. */
function shown(command: ParsedCommand): string {
  if (command.name === "run") return "/devflow run";
  if (command.name === "revise") return "/devflow revise";
  return command.name === "unknown" ? `/${command.word}` : `/${command.name}`;
}

/** `/devflow run` is audited as the trigger it is; every other command as itself. */
function auditAction(command: ParsedCommand): string {
  return command.name === "run" ? "trigger.command" : `command.${command.name}`;
}

/**
 * A sender who may not use devflow's commands: each command is audited as refused, and a person (never a
 * bot: two bots must not answer each other forever) gets one reply when the text held a command devflow
 * knows (a stray `/word` from a passer-by is not answered).
 */
function refusalText(sender: Sender, commands: ParsedCommand[], verdict: AuthorizationDecision) {
  if (verdict.allowed || isBot(sender)) return undefined;
  const known = [...new Set(commands.filter((c) => c.name !== "unknown").map(shown))];
  if (known.length === 0) return undefined;
  const names = known.map((name) => `\`${name}\``).join(", ");
  return `@${sender.login} ${names} ${known.length === 1 ? "was" : "were"} not applied: ${verdict.reason} Who may use devflow here: ${verdict.whoMay}.`;
}

export async function executeCommands(
  deps: GitHubDeps,
  ctx: EventContext,
  sender: Sender,
  source: CommandSource,
  parsed: ParsedCommand[],
): Promise<void> {
  const limit = deps.serverConfig.commands.maxPerComment;
  const commands = parsed.slice(0, limit);
  const reply = new CommandReply();
  const auditCommand = (
    action: string,
    outcome: Outcome,
    runId: string | undefined,
    details: Record<string, unknown>,
  ) =>
    audit(deps.prisma, {
      actor: sender.login,
      action,
      source: source.kind,
      outcome,
      runId: runId ?? null,
      repository: ctx.repository.fullName,
      details: { deliveryId: ctx.deliveryId, ...details },
    });
  const record = (
    index: number,
    command: ParsedCommand,
    outcome: Outcome,
    runId?: string,
    details: Record<string, unknown> = {},
  ) => auditCommand(auditAction(command), outcome, runId, { index, ...details });
  const latestRun = () => latestRunOf(deps.prisma, ctx.repository.fullName, source.number);
  const ignored = parsed.length - commands.length;
  if (ignored > 0) await auditCommand("command.over_limit", "ignored", undefined, { read: limit, ignored });
  const overLimit = `Only the first ${limit} commands of a comment are read; the other ${ignored} were ignored.`;

  const authorization = await authorizeSender(deps, ctx, sender, source.issue.author);
  if (!authorization.acts.allowed) {
    const runId = (await latestRun())?.id;
    for (const [index, command] of commands.entries()) {
      await record(index, command, "refused", runId, { reason: authorization.acts.reason });
    }
    const refusal = refusalText(sender, commands, authorization.acts);
    if (refusal) {
      reply.add(refusal, runId);
      if (ignored > 0) reply.add(overLimit);
    }
    await reply.send(deps, ctx, source.number);
    return;
  }

  for (const [index, command] of commands.entries()) {
    if (command.name === "help" || command.name === "unknown") {
      const prefix = command.name === "unknown" ? `devflow does not know \`/${command.word}\`.\n\n` : "";
      reply.add(`${prefix}${HELP_TEXT}`);
      await record(index, command, command.name === "help" ? "accepted" : "ignored");
    } else if (command.name === "run") {
      const started = await startRunForIssue(
        deps,
        ctx,
        { number: source.number, ...source.issue },
        {
          kind: "command",
          actor: sender.login,
          ...(source.reactable ? { commentId: source.id } : {}),
          ...(command.template ? { template: command.template } : {}),
        },
      );
      if ("refusal" in started) reply.add(started.refusal);
    } else {
      const run = await latestRun();
      if (!run) {
        reply.add("There is no devflow run on this issue. Label it or comment `/devflow run` to start one.");
        await record(index, command, "ignored", undefined, { reason: "no_run" });
      } else if (command.name === "status") {
        reply.add(await statusReply(deps.prisma, run), run.id);
        await record(index, command, "accepted", run.id);
      } else if (command.name === "revise" || isDecision(command)) {
        const recordOutcome: RecordOutcome = (outcome, runId, details) =>
          record(index, command, outcome, runId, details);
        const request = {
          deps,
          ctx,
          sender,
          source,
          index,
          run,
          verdict: authorization.decides,
          reply,
          record: recordOutcome,
        };
        if (command.name === "revise") await applyRevise({ ...request, command });
        else await applyDecision({ ...request, command });
      }
    }
  }
  if (ignored > 0) reply.add(overLimit);
  await reply.send(deps, ctx, source.number);
}
