// `/devflow revise <what to change>`, or a review that requests changes, on a run's issue or pull request
// (DESIGN §2 "Revision"), from a sender already allowed to use devflow's commands: the same decision
// rule as `/approve`, then the pull request must still be open, then the engine records the request
// (and starts the revision, or queues it behind the run that is still active). A review's inline
// comments are read from GitHub here, once the sender is known to be allowed.
import type { Run } from "../../db/index.js";
import type { RevisionOutcome } from "../../engine/index.js";
import { REVISION_LIMITS } from "../../engine/index.js";
import { DevflowError, isDevflowError } from "../../errors/index.js";
import type { ParsedCommand } from "../commands/parse-commands.js";
import { acknowledgeCommand, type DecisionRequest } from "./apply-decision.js";
import type { CommandSource } from "./execute-commands.js";

export type ReviseCommand = Extract<ParsedCommand, { name: "revise" }>;

export type ReviseRequest = Omit<DecisionRequest, "command" | "source"> & {
  command: ReviseCommand;
  source: CommandSource;
};

export async function applyRevise(request: ReviseRequest): Promise<void> {
  const { deps, ctx, sender, source, command, index, run, verdict, reply, record } = request;
  const refused = `@${sender.login} \`/devflow revise\` was not applied:`;
  if (!verdict.allowed) {
    reply.add(`${refused} ${verdict.reason} Who may ask for revisions here: ${verdict.whoMay}.`, run.id);
    await record("refused", run.id, { reason: verdict.reason });
    return;
  }
  try {
    const pull = await openPullRequestOf(request);
    // A review's inline comments belong to its request (path, line, diff hunk and text of each).
    const comments =
      source.kind === "review" ? await ctx.reviewCommentsOf(pull, source.id, REVISION_LIMITS.comments) : [];
    if (!command.text && comments.length === 0) {
      throw new DevflowError("The request does not say what to change.", { code: "revision_request_empty" });
    }
    const outcome = await deps.engine.requestRevision({
      runId: run.id,
      actor: sender.login,
      source: source.kind,
      clientToken: `${source.kind}-${source.id}-${index}`,
      number: source.number,
      text: command.text,
      comments,
    });
    if (source.reactable) await acknowledgeCommand(deps, ctx, source.id, index, run.id);
    const answer = answerFor(outcome, pull, source.reactable);
    if (answer) reply.add(`@${sender.login} ${answer}`, run.id);
    await record("accepted", run.id, {
      state: outcome.state,
      ...(outcome.state === "started" ? { revisionRunId: outcome.runId, revision: outcome.revision } : {}),
      comments: comments.length,
    });
  } catch (error) {
    if (!isDevflowError(error) || error.class !== "bad_input") throw error;
    reply.add(`${refused} ${error.message} ${error.recoveryHint}`, run.id);
    await record("failed", run.id, { code: error.code });
  }
}

/** The run's pull request, asked of GitHub now: a merged or closed one is never revised. */
async function openPullRequestOf({ ctx, run }: { ctx: ReviseRequest["ctx"]; run: Run }): Promise<number> {
  const pull = run.pullRequestNumber;
  if (pull === null) {
    throw new DevflowError(`Run ${run.id} has no pull request yet: there is nothing to revise.`, {
      code: "revision_without_pull_request",
    });
  }
  const state = await ctx.pullRequestOf(pull);
  if (state.merged || state.state === "closed") {
    throw new DevflowError(
      `Pull request #${pull} is ${state.merged ? "merged" : "closed"}: a revision would change a branch that is done.`,
      { code: "revision_pull_request_closed", details: { pull, merged: state.merged } },
    );
  }
  return pull;
}

/** What the sender is told: always where the request waits; a start only where no reaction can say it. */
function answerFor(outcome: RevisionOutcome, pull: number, reacted: boolean): string | undefined {
  if (outcome.state === "queued") {
    const { behind } = outcome;
    const which =
      behind.revision > 1
        ? `revision ${behind.revision} of run \`${outcome.firstRunId}\``
        : `run \`${behind.id}\``;
    return `your request is queued: devflow ${which} is still ${behind.state}, and the next revision starts with your request when it ends (if it is aborted instead, the request is dropped and you are told).`;
  }
  if (outcome.state === "cancelled")
    return "that request was dropped when the run it waited behind was aborted.";
  if (reacted) return undefined;
  return `revision ${outcome.revision} of devflow run \`${outcome.firstRunId}\` started on pull request #${pull}; the run's status comment and check run follow it.`;
}
