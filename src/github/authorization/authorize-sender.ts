// The one authorization every trigger and command goes through (DESIGN §3): the repository's approvers
// policy (default: write or higher) checked against the collaborator permission API, asked once per
// delivery. Bots are refused without asking GitHub; a refused lookup or an unreadable config fails closed,
// and a lookup GitHub did not answer throws (permission-lookup.ts), so the inbox tries the delivery again.
import type { RepositoryConfig } from "../../config/index.js";
import type { EventContext, Sender } from "../event-context.js";
import type { GitHubDeps } from "../handlers/github-deps.js";
import { loadRepositoryConfig } from "../handlers/start-run-for-issue.js";
import { type AuthorizationDecision, decideAuthorization } from "./decide-authorization.js";

const DEFAULT_APPROVERS: RepositoryConfig["approvers"] = { minPermission: "write", allowIssueAuthor: true };

export interface SenderAuthorization {
  /** May start runs and use commands: the permission (`approvers.minPermission`, default write). */
  readonly acts: AuthorizationDecision;
  /** May also decide on this issue's run: the whole approvers policy (named users and teams, and the
   * rule on the issue's own author), as the README's `approvers` says. */
  readonly decides: AuthorizationDecision;
}

export function isBot(sender: Sender): boolean {
  return sender.type === "Bot" || sender.login.toLowerCase().endsWith("[bot]");
}

export async function authorizeSender(
  deps: GitHubDeps,
  ctx: EventContext,
  sender: Sender,
  issueAuthor?: string,
): Promise<SenderAuthorization> {
  // An invalid config is answered elsewhere; here it means the defaults, never "anyone".
  const config = await loadRepositoryConfig(deps, ctx).catch(() => undefined);
  const approvers = config?.approvers ?? DEFAULT_APPROVERS;
  // Throws when GitHub did not answer: the delivery is tried again.
  const permission = isBot(sender) ? { failed: true as const } : await ctx.permissionOf(sender.login);
  const actorTeams =
    approvers.teams?.length && !isBot(sender)
      ? await ctx.teamsOf(sender.login, approvers.teams).catch(() => [])
      : [];
  const decides = { actor: sender, permission, approvers, actorTeams };
  const acts = {
    actor: sender,
    permission,
    approvers: { minPermission: approvers.minPermission, allowIssueAuthor: true },
  };
  return {
    acts: decideAuthorization(acts),
    decides: decideAuthorization(issueAuthor === undefined ? decides : { ...decides, issueAuthor }),
  };
}
