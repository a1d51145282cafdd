// The label trigger: the configured label on an issue starts a run, when whoever added it may start
// one. The label is checked even though adding it in GitHub's UI already takes triage: an integration
// (a bot, an Action, any token with issues:write) can add it through the API.
import { isDevflowError } from "../../errors/index.js";
import { authorizeSender, isBot } from "../authorization/authorize-sender.js";
import { enqueueEffect } from "../effects/enqueue-effect.js";
import type { EventContext, Sender } from "../event-context.js";
import { audit } from "../intake/audit.js";
import type { GitHubDeps } from "./github-deps.js";
import { loadRepositoryConfig, startRunForIssue } from "./start-run-for-issue.js";

export interface LabeledPayload {
  issue: { number: number; title: string; body: string | null; user: { login: string } };
  label?: { name: string };
  sender: Sender;
}

export async function startRunOnLabel(
  deps: GitHubDeps,
  ctx: EventContext,
  payload: LabeledPayload,
): Promise<string> {
  const { issue, label, sender } = payload;
  const config = await loadRepositoryConfig(deps, ctx).catch((error) =>
    isDevflowError(error) ? undefined : Promise.reject(error),
  );
  const wanted = config?.label ?? deps.serverConfig.label;
  // GitHub's label names are case-insensitive.
  if (label?.name.toLowerCase() !== wanted.toLowerCase()) return "ignored: another label";

  const reply = (body: string) =>
    enqueueEffect(
      deps.prisma,
      {
        key: `${ctx.deliveryId}:refused`,
        installationId: ctx.installationId,
        repository: ctx.repository.fullName,
      },
      { kind: "comment.reply", issueNumber: issue.number, body },
    );
  const { acts } = await authorizeSender(deps, ctx, sender);
  if (!acts.allowed) {
    await audit(deps.prisma, {
      actor: sender.login,
      action: "trigger.label",
      source: "github",
      outcome: "refused",
      repository: ctx.repository.fullName,
      details: { deliveryId: ctx.deliveryId, issue: issue.number, reason: acts.reason },
    });
    // A bot is not answered: two bots must not talk to each other forever.
    if (!isBot(sender)) {
      await reply(
        `@${sender.login} devflow did not start a run for the \`${wanted}\` label: ${acts.reason} Who may start a run here: ${acts.whoMay}.`,
      );
    }
    return "refused: not authorized";
  }
  const started = await startRunForIssue(
    deps,
    ctx,
    { number: issue.number, title: issue.title, body: issue.body, author: issue.user.login },
    { kind: "label", actor: sender.login },
  );
  if ("refusal" in started) {
    await reply(started.refusal);
    return "refused";
  }
  return `started ${started.runId}`;
}
