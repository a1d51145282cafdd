// Closing the issue or its PR, or removing the trigger label, aborts the run when the repository's
// config says so (abortOnClose defaults to yes, abortOnUnlabel to no) and when whoever did it may use
// devflow's commands: an issue's author can close it with read access, a bot can close or unlabel it.
import { activeRunOf } from "../../engine/index.js";
import { isDevflowError } from "../../errors/index.js";
import { authorizeSender, isBot } from "../authorization/authorize-sender.js";
import { enqueueEffect } from "../effects/enqueue-effect.js";
import type { EventContext, Sender } from "../event-context.js";
import { audit } from "../intake/audit.js";
import type { GitHubDeps } from "./github-deps.js";
import { loadRepositoryConfig } from "./start-run-for-issue.js";

interface ClosedPayload {
  issue?: { number: number };
  pull_request?: { number: number; merged?: boolean };
  label?: { name: string };
  sender: Sender;
}

/** What each abort answers, in the words the run's report uses. */
const WHY = {
  issue_closed: "the issue was closed",
  pull_request_closed: "the run's pull request was closed",
  unlabeled: "the trigger label was removed",
} as const;

async function abortActiveRun(
  deps: GitHubDeps,
  ctx: EventContext,
  number: number,
  sender: Sender,
  why: keyof typeof WHY,
) {
  const run = await activeRunOf(deps.prisma, ctx.repository.fullName, number);
  if (!run) return "ignored: no active run";
  const actor = sender.login;
  const { acts } = await authorizeSender(deps, ctx, sender);
  if (!acts.allowed) {
    await audit(deps.prisma, {
      actor,
      action: `abort.${why}`,
      source: "github",
      outcome: "refused",
      runId: run.id,
      repository: ctx.repository.fullName,
      details: { deliveryId: ctx.deliveryId, reason: acts.reason },
    });
    if (!isBot(sender)) {
      await enqueueEffect(
        deps.prisma,
        {
          key: `${ctx.deliveryId}:refused`,
          installationId: ctx.installationId,
          repository: ctx.repository.fullName,
          runId: run.id,
        },
        {
          kind: "comment.reply",
          issueNumber: number,
          body: `@${actor} ${WHY[why]}, but devflow run \`${run.id}\` goes on: ${acts.reason} Who may stop it (\`/abort\`): ${acts.whoMay}.`,
        },
      );
    }
    return `refused: ${actor} may not abort`;
  }
  await deps.engine.abort(run.id, actor, "api", `${ctx.deliveryId}`, WHY[why]);
  await audit(deps.prisma, {
    actor,
    action: `abort.${why}`,
    source: "github",
    outcome: "accepted",
    runId: run.id,
    repository: ctx.repository.fullName,
  });
  return `aborted ${run.id}`;
}

export async function abortOnClose(
  deps: GitHubDeps,
  ctx: EventContext,
  payload: ClosedPayload,
  kind: "issue" | "pull_request",
) {
  const config = await loadRepositoryConfig(deps, ctx).catch((error) =>
    isDevflowError(error) ? undefined : Promise.reject(error),
  );
  if (!(config?.abortOnClose ?? true)) return "ignored: abortOnClose is off";
  if (kind === "pull_request" && payload.pull_request?.merged) return "ignored: merged";
  const number = kind === "issue" ? payload.issue?.number : payload.pull_request?.number;
  if (number === undefined) return "ignored";
  return abortActiveRun(deps, ctx, number, payload.sender, `${kind}_closed`);
}

export async function abortOnUnlabel(deps: GitHubDeps, ctx: EventContext, payload: ClosedPayload) {
  const config = await loadRepositoryConfig(deps, ctx).catch((error) =>
    isDevflowError(error) ? undefined : Promise.reject(error),
  );
  if (!config?.abortOnUnlabel) return "ignored: abortOnUnlabel is off";
  // GitHub's label names are case-insensitive.
  const wanted = (config.label ?? deps.serverConfig.label).toLowerCase();
  if (payload.label?.name.toLowerCase() !== wanted || !payload.issue) return "ignored: another label";
  return abortActiveRun(deps, ctx, payload.issue.number, payload.sender, "unlabeled");
}
