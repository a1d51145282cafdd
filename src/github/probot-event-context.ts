// devflow's view of a Probot context (event-context.ts): the repository, the installation, and the reads a
// handler may ask of GitHub. The repository's `.github/devflow.yml` is read at most once per delivery,
// and, on servers, through the per-repository cache (a push to the default branch refreshes it).
import type { Context } from "probot";
import { unreadableRepositoryConfig } from "../config/index.js";
import type { PrismaClient } from "../db/index.js";
import { failedLookup } from "./authorization/permission-lookup.js";
import { type EventContext, reviewComment, type Sender } from "./event-context.js";
import { cachedRepositoryConfig } from "./intake/repository-config-cache.js";

export interface EventContextOptions {
  /** Share `.github/devflow.yml` between deliveries through this database (servers). */
  configCache?: { prisma: PrismaClient; ttlMs?: number };
}

export interface RepoPayload {
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

export function eventContext(context: Context, options: EventContextOptions = {}): EventContext | undefined {
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
      const read = () =>
        context.config("devflow.yml").then(
          (found) => found ?? {},
          (error) => Promise.reject(unreadableRepositoryConfig(error) ?? error),
        );
      const cache = options.configCache;
      config ??= cache ? cachedRepositoryConfig(cache.prisma, repo.full_name, read, cache.ttlMs) : read();
      return config;
    },
    permissionOf: async (login) => {
      try {
        // No retries here: a lookup GitHub did not answer fails the delivery, and the inbox retries it.
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
      } catch (error) {
        return failedLookup(login, error);
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
    pullRequestOf: async (number) => {
      const { data } = await context.octokit.rest.pulls.get({
        owner: repo.owner.login,
        repo: repo.name,
        pull_number: number,
      });
      return {
        state: data.state === "open" ? "open" : "closed",
        merged: data.merged || data.merged_at !== null,
      };
    },
    reviewCommentsOf: async (pull, reviewId, max) => {
      const { data } = await context.octokit.rest.pulls.listCommentsForReview({
        owner: repo.owner.login,
        repo: repo.name,
        pull_number: pull,
        review_id: reviewId,
        per_page: Math.min(max, 100),
      });
      return data.slice(0, max).map(reviewComment);
    },
  };
}
