// An EventContext outside a webhook (the dashboard): the same GitHub questions — the repository's
// devflow.yml, the collaborator permission API, team membership — asked with the installation's token,
// so a decision from the dashboard goes through the very authorization a comment goes through.
import { parse } from "yaml";
import { type EventContext, reviewComment } from "../event-context.js";
import { failedLookup } from "./permission-lookup.js";

/** The part of an installation's Octokit this needs (Probot's `app.auth(installationId)`). */
export interface InstallationOctokit {
  request(route: string, parameters?: Record<string, unknown>): Promise<{ data: unknown }>;
}

export function installationContext(
  octokit: InstallationOctokit,
  installationId: number,
  fullName: string,
  purpose: string,
): EventContext {
  const [owner = "", name = ""] = fullName.split("/");
  let config: Promise<unknown> | undefined;
  return {
    deliveryId: purpose,
    installationId,
    repository: { owner, name, fullName, cloneUrl: "", defaultBranch: "" },
    loadRepositoryConfig() {
      config ??= octokit
        .request("GET /repos/{owner}/{repo}/contents/{path}", {
          owner,
          repo: name,
          path: ".github/devflow.yml",
          mediaType: { format: "raw" },
          request: { retries: 0 },
        })
        .then(
          ({ data }) => (typeof data === "string" ? (parse(data) ?? {}) : {}),
          (error: { status?: number }) => (error.status === 404 ? {} : Promise.reject(error)),
        );
      return config;
    },
    async permissionOf(login) {
      try {
        const { data } = await octokit.request(
          "GET /repos/{owner}/{repo}/collaborators/{username}/permission",
          {
            owner,
            repo: name,
            username: login,
            request: { retries: 0 },
          },
        );
        const answer = data as { permission: string; role_name?: string };
        return { roleName: answer.role_name ?? answer.permission, permission: answer.permission };
      } catch (error) {
        // A refusal fails closed; no answer at all throws permission_lookup_failed (the caller says so).
        return failedLookup(login, error);
      }
    },
    async teamsOf(login, teams) {
      const member: string[] = [];
      for (const team of teams) {
        const [org, slug] = team.includes("/") ? (team.split("/") as [string, string]) : [owner, team];
        const active = await octokit
          .request("GET /orgs/{org}/teams/{team_slug}/memberships/{username}", {
            org,
            team_slug: slug,
            username: login,
          })
          .then(({ data }) => (data as { state?: string }).state === "active")
          .catch(() => false);
        if (active) member.push(slug);
      }
      return member;
    },
    async pullRequestOf(number) {
      const { data } = await octokit.request("GET /repos/{owner}/{repo}/pulls/{pull_number}", {
        owner,
        repo: name,
        pull_number: number,
      });
      const pull = data as { state: string; merged?: boolean; merged_at: string | null };
      return {
        state: pull.state === "open" ? "open" : "closed",
        merged: pull.merged === true || pull.merged_at !== null,
      };
    },
    async reviewCommentsOf(pull, reviewId, max) {
      const { data } = await octokit.request(
        "GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews/{review_id}/comments",
        { owner, repo: name, pull_number: pull, review_id: reviewId, per_page: Math.min(max, 100) },
      );
      return (data as Parameters<typeof reviewComment>[0][]).slice(0, max).map(reviewComment);
    },
  };
}
