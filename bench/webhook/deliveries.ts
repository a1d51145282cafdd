// The load: webhook bodies built by the GitHub simulator from GitHub's recorded examples (so they have
// GitHub's shape and name objects the simulator knows), prepared before any timing starts.
import type { GitHubSimulator } from "../../test/github-sim/index.js";
import type { Delivery } from "./load.js";

export type Shape = "comment" | "labeled";

export const SHAPES: Record<Shape, string> = {
  comment: "issue_comment.created, no command (recorded by delivery id, ignored)",
  labeled: "issues.labeled with the trigger label (config read, run started, job queued)",
};

/**
 * `count` deliveries of `shape` on `repo`. Each labeled delivery is on an issue of its own: one active
 * run per issue, so every delivery starts a run (the path measured) rather than being refused.
 */
export async function buildDeliveries(
  sim: GitHubSimulator,
  repo: string,
  shape: Shape,
  count: number,
): Promise<Delivery[]> {
  const deliveries: Delivery[] = [];
  for (let i = 0; i < count; i++) {
    const issue = sim.state.createIssue(repo, {
      title: `Bench issue ${i}`,
      body: "Benchmark.",
      user: "writer",
    });
    const payload =
      shape === "labeled"
        ? await sim.payloads.issueLabeled({ repo, issue: issue.number, label: "devflow", sender: "writer" })
        : await sim.payloads.issueCommentCreated({
            repo,
            issue: issue.number,
            body: "Thanks, looks good to me.",
            sender: "writer",
          });
    deliveries.push({
      event: shape === "labeled" ? "issues" : "issue_comment",
      body: JSON.stringify(payload),
    });
  }
  return deliveries;
}
