// Who may trigger and decide (DESIGN §3): the collaborator permission API's answer at decision time — never
// `author_association` — checked against the repository's config. Bots, devflow itself included, never
// decide. When the permission lookup failed, the answer is no (fail closed).
import type { PermissionLevel, RepositoryConfig } from "../../config/index.js";

const RANK: Record<PermissionLevel | "none", number> = {
  none: 0,
  read: 1,
  triage: 2,
  write: 3,
  maintain: 4,
  admin: 5,
};

export interface Actor {
  login: string;
  /** GitHub's account type: "User", "Bot", "Organization". */
  type: string;
}

export interface AuthorizationInput {
  actor: Actor;
  /** GitHub's answer: `role_name` (custom roles map to their base `permission`), or the lookup failed. */
  permission: { roleName: string; permission: string } | { failed: true };
  approvers: RepositoryConfig["approvers"];
  /** The teams (slugs) the actor belongs to, looked up only when the config names teams. */
  actorTeams?: readonly string[];
  issueAuthor?: string;
}

export type AuthorizationDecision =
  | { allowed: true; level: PermissionLevel }
  | {
      allowed: false;
      reason: string;
      whoMay: string;
      /** Nothing was decided because GitHub did not answer: asking again later may allow it. */
      unanswered?: true;
    };

function levelOf(permission: { roleName: string; permission: string }): PermissionLevel | "none" {
  if (permission.roleName in RANK) return permission.roleName as PermissionLevel | "none";
  // A custom repository role reports its base permission in `permission` (admin, write, read, none).
  return permission.permission in RANK ? (permission.permission as PermissionLevel | "none") : "none";
}

export function describeWhoMay(approvers: RepositoryConfig["approvers"]): string {
  const parts = [`people with ${approvers.minPermission} access or higher`];
  const named = [
    ...(approvers.users ?? []).map((u) => `@${u}`),
    ...(approvers.teams ?? []).map((t) => `the ${t} team`),
  ];
  if (named.length > 0) parts.push(`who are ${named.join(" or ")}`);
  return parts.join(", ");
}

export function decideAuthorization(input: AuthorizationInput): AuthorizationDecision {
  const whoMay = describeWhoMay(input.approvers);
  const deny = (reason: string): AuthorizationDecision => ({ allowed: false, reason, whoMay });
  if (input.actor.type === "Bot" || input.actor.login.endsWith("[bot]")) {
    return deny(`@${input.actor.login} is a bot; bots never decide or start runs.`);
  }
  if ("failed" in input.permission) {
    return deny(
      `GitHub would not tell devflow what access @${input.actor.login} has to this repository, so nothing was decided.`,
    );
  }
  const level = levelOf(input.permission);
  if (RANK[level] < RANK[input.approvers.minPermission]) {
    return deny(
      `@${input.actor.login} has ${level} access; devflow's triggers and commands need ${input.approvers.minPermission} or higher.`,
    );
  }
  const { users, teams } = input.approvers;
  if ((users && users.length > 0) || (teams && teams.length > 0)) {
    const byName = (users ?? []).some((user) => user.toLowerCase() === input.actor.login.toLowerCase());
    const byTeam = (teams ?? []).some((team) =>
      (input.actorTeams ?? []).includes(team.split("/").pop() ?? team),
    );
    if (!byName && !byTeam)
      return deny(`@${input.actor.login} is not one of the approvers this repository names.`);
  }
  if (
    !input.approvers.allowIssueAuthor &&
    input.issueAuthor &&
    input.issueAuthor.toLowerCase() === input.actor.login.toLowerCase()
  ) {
    return deny(
      `@${input.actor.login} opened the issue, and this repository does not let an issue's author decide on its run.`,
    );
  }
  return { allowed: true, level: level as PermissionLevel };
}
