// With the workflow's GITHUB_TOKEN, a check run's buttons cannot work: GitHub starts no workflow for
// the `check_run` events of a suite GitHub Actions created, so a press would never reach devflow. The
// check run is sent without them, and its text asks for the comment commands instead.
import type { Octokit } from "../github/index.js";

const BUTTONS_HINT = "Use the buttons above, or comment `/approve` / `/reject <reason>`.";
export const COMMENT_HINT =
  "Comment `/approve` or `/reject <reason>` on the issue (this workflow's token cannot offer buttons).";

interface CheckRunRequest {
  method?: string;
  url?: string;
  actions?: unknown;
  output?: { summary?: unknown };
}

/** Strips the requested actions from every check run this octokit creates or updates. */
export function withoutCheckRunButtons(octokit: Octokit): void {
  octokit.hook.before("request", (options) => {
    const request = options as CheckRunRequest;
    if (!request.url?.includes("/check-runs") || request.method === "GET") return;
    if (request.actions !== undefined) request.actions = [];
    const summary = request.output?.summary;
    if (typeof summary === "string" && request.output)
      request.output.summary = summary.replace(BUTTONS_HINT, COMMENT_HINT);
  });
}
