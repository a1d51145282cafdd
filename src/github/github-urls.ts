// Where GitHub is: github.com, or a GitHub Enterprise Server named by GHE_HOST/GHE_PROTOCOL (Probot's
// own names; its REST API is under /api/v3 of the same host).
import type { GitHubEnterprise } from "../config/index.js";

export interface GitHubUrls {
  /** The web root: app settings pages, apps' pages. */
  readonly web: string;
  /** The REST API base URL (Octokit's baseUrl). */
  readonly api: string;
}

export function githubUrls(enterprise: GitHubEnterprise | undefined): GitHubUrls {
  if (!enterprise) return { web: "https://github.com", api: "https://api.github.com" };
  const web = `${enterprise.protocol}://${enterprise.host}`;
  return { web, api: `${web}/api/v3` };
}
