// Closing the issue or its PR, or removing the trigger label, aborts the run when the repository's
// config says so (abortOnClose defaults to yes, abortOnUnlabel to no).
import { isDevflowError } from "../../errors/index.js";
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
  actor: string,
  why: keyof typeof WHY,
) {
  const run = await deps.prisma.run.findFirst({
    where: {
      repository: ctx.repository.fullName,
      OR: [{ issueNumber: number }, { pullRequestNumber: number }],
      state: { notIn: ["completed", "failed", "aborted"] },
    },
  });
  if (!run) return "ignored: no active run";
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
  return abortActiveRun(deps, ctx, number, payload.sender.login, `${kind}_closed`);
}

export async function abortOnUnlabel(deps: GitHubDeps, ctx: EventContext, payload: ClosedPayload) {
  const config = await loadRepositoryConfig(deps, ctx).catch((error) =>
    isDevflowError(error) ? undefined : Promise.reject(error),
  );
  if (!config?.abortOnUnlabel) return "ignored: abortOnUnlabel is off";
  // GitHub's label names are case-insensitive.
  const wanted = (config.label ?? deps.serverConfig.label).toLowerCase();
  if (payload.label?.name.toLowerCase() !== wanted || !payload.issue) return "ignored: another label";
  return abortActiveRun(deps, ctx, payload.issue.number, payload.sender.login, "unlabeled");
}
