// What the effects' GitHub calls share: the installation client's type, a repository's owner and name,
// and finding a comment devflow made by its marker (a create that may have happened before a crash).
import type { ProbotOctokit } from "probot";

export type Octokit = InstanceType<typeof ProbotOctokit>;

export interface Repo {
  owner: string;
  repo: string;
}

export function repoOf(fullName: string): Repo {
  const [owner = "", repo = ""] = fullName.split("/");
  return { owner, repo };
}

export async function findComment(
  octokit: Octokit,
  repo: Repo,
  issueNumber: number,
  marker: string,
): Promise<number | undefined> {
  const comments = await octokit.paginate(octokit.rest.issues.listComments, {
    ...repo,
    issue_number: issueNumber,
    per_page: 100,
  });
  return comments.find((comment) => comment.body?.includes(marker))?.id;
}
