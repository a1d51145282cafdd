// The Probot app (DESIGN §3): triggers and commands handed to small handlers, which authorize the
// sender before anything else, each delivery handled once (handle-delivery.ts: from the webhook inbox on
// servers, inline in the GitHub Action). No GitHub write and no git work happens in a handler: replies,
// reactions and run output go through the outbox. A push to a repository's default branch refreshes its
// cached `.github/devflow.yml`.
import type { ApplicationFunction, Probot } from "probot";
import { latestRunOf, runOfCheckRun } from "../engine/index.js";
import { parseCommands } from "./commands/parse-commands.js";
import type { Sender } from "./event-context.js";
import { type DeliveryHandler, type HandleOptions, handleOnce } from "./handle-delivery.js";
import { abortOnClose, abortOnUnlabel } from "./handlers/abort-on-close.js";
import { executeCommands } from "./handlers/execute-commands.js";
import type { GitHubDeps } from "./handlers/github-deps.js";
import { type LabeledPayload, startRunOnLabel } from "./handlers/label-trigger.js";
import { audit } from "./intake/audit.js";
import { forgetRepositoryConfig } from "./intake/repository-config-cache.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function createDevflowApp(deps: GitHubDeps, options: HandleOptions = {}): ApplicationFunction {
  const once = (handler: DeliveryHandler) => handleOnce(deps, options, handler);
  return (app: Probot) => {
    app.on(
      "push",
      once(async (context, ctx) => {
        const { ref } = context.payload as { ref?: string };
        if (ref !== `refs/heads/${ctx.repository.defaultBranch}`) return "ignored: not the default branch";
        await forgetRepositoryConfig(deps.prisma, ctx.repository.fullName);
        return "repository config marked stale";
      }),
    );

    app.on(
      "issues.labeled",
      once((context, ctx) => startRunOnLabel(deps, ctx, context.payload as unknown as LabeledPayload)),
    );

    app.on(
      "issue_comment.created",
      once(async (context, ctx) => {
        const { comment, issue, sender } = context.payload as unknown as {
          comment: { id: number; body: string };
          issue: { number: number; title: string; body: string | null; user: { login: string } };
          sender: Sender;
        };
        const commands = parseCommands(comment.body);
        if (commands.length === 0) return "ignored: no command";
        await executeCommands(
          deps,
          ctx,
          sender,
          {
            kind: "comment",
            id: comment.id,
            number: issue.number,
            issue: { title: issue.title, body: issue.body, author: issue.user.login },
            reactable: true,
          },
          commands,
        );
        return `commands: ${commands.map((c) => c.name).join(", ")}`;
      }),
    );

    app.on(
      "issue_comment.edited",
      once(async (context, ctx) => {
        const { comment, sender } = context.payload as unknown as {
          comment: { id: number; body: string };
          sender: Sender;
        };
        if (parseCommands(comment.body).length === 0) return "ignored: no command";
        await audit(deps.prisma, {
          actor: sender.login,
          action: "command.edited",
          source: "comment",
          outcome: "ignored",
          repository: ctx.repository.fullName,
          details: { commentId: comment.id, reason: "edited comments never count" },
        });
        return "ignored: edited comment";
      }),
    );

    app.on(
      "pull_request_review.submitted",
      once(async (context, ctx) => {
        const {
          review,
          pull_request: pr,
          sender,
        } = context.payload as unknown as {
          review: { id: number; body: string | null; state: string };
          pull_request: { number: number; title: string; body: string | null; user: { login: string } };
          sender: Sender;
        };
        let commands = parseCommands(review.body);
        // A review that requests changes on a run's pull request is a revise: its body and inline comments.
        if (
          review.state.toLowerCase() === "changes_requested" &&
          (await latestRunOf(deps.prisma, ctx.repository.fullName, pr.number))?.pullRequestNumber ===
            pr.number
        ) {
          const others = commands.filter((command) => command.name !== "revise");
          commands = [{ name: "revise", text: (review.body ?? "").trim() }, ...others];
        }
        if (commands.length === 0) return "ignored: no command";
        await executeCommands(
          deps,
          ctx,
          sender,
          {
            kind: "review",
            id: review.id,
            number: pr.number,
            issue: { title: pr.title, body: pr.body, author: pr.user.login },
            reactable: false,
          },
          commands,
        );
        return `commands: ${commands.map((c) => c.name).join(", ")}`;
      }),
    );

    app.on(
      "check_run.requested_action",
      once(async (context, ctx) => {
        const {
          check_run: checkRun,
          requested_action: action,
          sender,
        } = context.payload as unknown as {
          check_run: { id: number; external_id: string | null };
          requested_action?: { identifier: string };
          sender: Sender;
        };
        if (action?.identifier !== "approve" && action?.identifier !== "reject")
          return "ignored: not a devflow action";
        // Our check runs carry the run id as external_id; a run's earlier heads had check runs too.
        const run = await runOfCheckRun(
          deps.prisma,
          ctx.repository.fullName,
          checkRun.id,
          checkRun.external_id && UUID.test(checkRun.external_id) ? checkRun.external_id : undefined,
        );
        if (!run) return "ignored: not a devflow check run";
        const command =
          action.identifier === "approve"
            ? { name: "approve" as const }
            : { name: "reject" as const, reason: "Rejected from the check run." };
        await executeCommands(
          deps,
          ctx,
          sender,
          {
            kind: "check_action",
            id: checkRun.id,
            // Each press is its own delivery; GitHub's redelivery of it keeps the id.
            clientToken: `check-${context.id}`,
            number: run.pullRequestNumber ?? run.issueNumber ?? 0,
            issue: { title: run.title ?? "", body: null, author: "" },
            reactable: false,
            ...(run.checkRunId !== null && run.checkRunId !== BigInt(checkRun.id)
              ? { stale: "the buttons pressed are on an earlier check run of this run; use the current one" }
              : {}),
          },
          [command],
        );
        return `check action: ${action.identifier}`;
      }),
    );

    app.on(
      "issues.closed",
      once((context, ctx) => abortOnClose(deps, ctx, context.payload as never, "issue")),
    );
    app.on(
      "pull_request.closed",
      once((context, ctx) => abortOnClose(deps, ctx, context.payload as never, "pull_request")),
    );
    app.on(
      "issues.unlabeled",
      once((context, ctx) => abortOnUnlabel(deps, ctx, context.payload as never)),
    );
  };
}
