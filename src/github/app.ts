// The Probot app (DESIGN §3): every delivery recorded first by X-GitHub-Delivery (a redelivery is
// acknowledged and ignored) and by its event's identity (the same event re-posted under a new delivery
// id is refused and audited), then triggers and commands handed to small handlers, which authorize the
// sender before anything else. No GitHub write and no git work happens in the request: replies,
// reactions and run output go through the outbox.

import type { ApplicationFunction, Context, Probot } from "probot";
import { unreadableRepositoryConfig } from "../config/repository-config.js";
import { runOfCheckRun } from "../engine/run-queries.js";
import { parseCommands } from "./commands/parse-commands.js";
import type { EventContext, Sender } from "./event-context.js";
import { abortOnClose, abortOnUnlabel } from "./handlers/abort-on-close.js";
import { executeCommands } from "./handlers/execute-commands.js";
import type { GitHubDeps } from "./handlers/github-deps.js";
import { type LabeledPayload, startRunOnLabel } from "./handlers/label-trigger.js";
import { audit } from "./intake/audit.js";
import { finishDelivery, recordDelivery } from "./intake/record-delivery.js";

type AnyContext = Context;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface RepoPayload {
  repository?: {
    name: string;
    full_name: string;
    clone_url: string;
    default_branch: string;
    owner: { login: string };
  };
  installation?: { id: number };
  sender?: Sender;
  action?: string;
}

function eventContext(context: AnyContext): EventContext | undefined {
  const payload = context.payload as RepoPayload;
  if (!payload.repository || !payload.installation) return undefined;
  const repo = payload.repository;
  let config: Promise<unknown> | undefined;
  return {
    deliveryId: context.id,
    installationId: payload.installation.id,
    repository: {
      owner: repo.owner.login,
      name: repo.name,
      fullName: repo.full_name,
      cloneUrl: repo.clone_url,
      defaultBranch: repo.default_branch,
    },
    // Read once per delivery: a trigger and the run it starts see the same file, for one GitHub call.
    loadRepositoryConfig: () => {
      config ??= context.config("devflow.yml").then(
        (found) => found ?? {},
        (error) => Promise.reject(unreadableRepositoryConfig(error) ?? error),
      );
      return config;
    },
    permissionOf: async (login) => {
      try {
        // No retries: the answer is needed inside GitHub's 10 s webhook window, and no answer means no.
        const { data } = await context.octokit.rest.repos.getCollaboratorPermissionLevel({
          owner: repo.owner.login,
          repo: repo.name,
          username: login,
          request: { retries: 0 },
        });
        return {
          roleName: (data as { role_name?: string }).role_name ?? data.permission,
          permission: data.permission,
        };
      } catch {
        return { failed: true };
      }
    },
    teamsOf: async (login, teams) => {
      const member: string[] = [];
      for (const team of teams) {
        const [org, slug] = team.includes("/")
          ? (team.split("/") as [string, string])
          : [repo.owner.login, team];
        const ok = await context.octokit.rest.teams
          .getMembershipForUserInOrg({ org, team_slug: slug, username: login })
          .then((r) => r.data.state === "active")
          .catch(() => false);
        if (ok) member.push(slug);
      }
      return member;
    },
  };
}

/** Records the delivery, runs the handler once, notes the outcome. */
function once(deps: GitHubDeps, handler: (context: AnyContext, ctx: EventContext) => Promise<string>) {
  return async (context: AnyContext) => {
    const ctx = eventContext(context);
    const payload = context.payload as RepoPayload;
    const recorded = await recordDelivery(deps.prisma, {
      deliveryId: context.id,
      event: context.name,
      action: payload.action,
      installationId: payload.installation?.id,
      repository: payload.repository?.full_name,
      payload: context.payload,
    });
    if (recorded.kind === "seen") return; // a redelivery or a duplicate: acknowledged, ignored
    if (recorded.kind === "replay") {
      // A signed body seen before under another delivery id: someone re-posted what GitHub once sent.
      deps.log.warn(
        {
          deliveryId: context.id,
          event: `${context.name}.${payload.action ?? ""}`,
          replayOf: recorded.originalDeliveryId,
        },
        "webhook replay refused: this event was already delivered under another X-GitHub-Delivery",
      );
      await audit(deps.prisma, {
        actor: payload.sender?.login ?? "unknown",
        action: "webhook.replayed",
        source: "github",
        outcome: "refused",
        repository: payload.repository?.full_name ?? null,
        details: {
          deliveryId: context.id,
          replayOf: recorded.originalDeliveryId,
          event: `${context.name}.${payload.action ?? ""}`,
        },
      });
      return;
    }
    if (!ctx) {
      await finishDelivery(deps.prisma, context.id, "ignored: no repository or installation");
      return;
    }
    let outcome: string;
    try {
      outcome = await handler(context, ctx);
    } catch (error) {
      // Not handled: forget the delivery so GitHub's redelivery (or the sweep) is processed, not ignored.
      await deps.prisma.webhookDelivery.delete({ where: { deliveryId: context.id } }).catch(() => {});
      throw error;
    }
    await finishDelivery(deps.prisma, context.id, outcome);
  };
}

export function createDevflowApp(deps: GitHubDeps): ApplicationFunction {
  return (app: Probot) => {
    app.on(
      "issues.labeled",
      once(deps, (context, ctx) => startRunOnLabel(deps, ctx, context.payload as unknown as LabeledPayload)),
    );

    app.on(
      "issue_comment.created",
      once(deps, async (context, ctx) => {
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
      once(deps, async (context, ctx) => {
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
      once(deps, async (context, ctx) => {
        const {
          review,
          pull_request: pr,
          sender,
        } = context.payload as unknown as {
          review: { id: number; body: string | null };
          pull_request: { number: number; title: string; body: string | null; user: { login: string } };
          sender: Sender;
        };
        const commands = parseCommands(review.body);
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
      once(deps, async (context, ctx) => {
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
      once(deps, (context, ctx) => abortOnClose(deps, ctx, context.payload as never, "issue")),
    );
    app.on(
      "pull_request.closed",
      once(deps, (context, ctx) => abortOnClose(deps, ctx, context.payload as never, "pull_request")),
    );
    app.on(
      "issues.unlabeled",
      once(deps, (context, ctx) => abortOnUnlabel(deps, ctx, context.payload as never)),
    );
  };
}
