// Which events start a GitHub Actions workflow, by GitHub's rules for the token that caused them
// (docs: "Triggering a workflow from a workflow", "Events that trigger workflows"):
// - what a workflow does with its GITHUB_TOKEN (an installation token of the `github-actions` app)
//   starts no workflow, except workflow_dispatch and repository_dispatch: no CI for its pushes, no
//   workflow for the comments and check runs it writes;
// - `check_run` and `check_suite` events of a suite GitHub Actions created start no workflow, so the
//   buttons of a check run made with the GITHUB_TOKEN never reach a workflow;
// - what a GitHub App's installation token does is an event like any other.
import type { PushRecord } from "./records.js";
import type { GitHubState } from "./state.js";

/** The app whose installation tokens are the workflows' GITHUB_TOKEN. */
export const GITHUB_ACTIONS_APP_SLUG = "github-actions";
const ACTIONS_BOT = `${GITHUB_ACTIONS_APP_SLUG}[bot]`;
const ALWAYS = new Set(["workflow_dispatch", "repository_dispatch"]);

export interface WorkflowTriggers {
  /** Whether GitHub would start a workflow that listens to `event` for this payload. */
  startsWorkflow(event: string, payload: Record<string, unknown>): boolean;
  /** Whether a push starts the repository's `push` / `pull_request` (synchronize) workflows: its CI. */
  pushStartsWorkflows(push: PushRecord): boolean;
}

export function createWorkflowTriggers(state: GitHubState): WorkflowTriggers {
  return {
    startsWorkflow(event, payload) {
      if (ALWAYS.has(event)) return true;
      const sender = (payload.sender as { login?: unknown } | undefined)?.login;
      if (sender === ACTIONS_BOT) return false;
      if (event === "check_run" || event === "check_suite") {
        const suite =
          event === "check_run"
            ? (payload.check_run as { check_suite?: { id?: unknown } } | undefined)?.check_suite?.id
            : (payload.check_suite as { id?: unknown } | undefined)?.id;
        if (typeof suite === "number" && state.checkSuiteCreators.get(suite) === GITHUB_ACTIONS_APP_SLUG)
          return false;
      }
      return true;
    },
    pushStartsWorkflows(push) {
      return push.pusher !== ACTIONS_BOT;
    },
  };
}
