// Webhook payload builders. Each starts from GitHub's recorded example of that event and action and
// lays the simulator's objects over it (repository, issue, comment, sender, installation…), so payloads
// keep GitHub's shape and agree with what the REST endpoints return. A builder first makes the change
// GitHub would have made before sending the event (a comment is stored, a label applied, a review kept).
import { checkRunJson } from "./check-runs.js";
import { isoNow } from "./http.js";
import { authorAssociation, commentJson, issueJson } from "./issue-shapes.js";
import { pullJson } from "./pull-shapes.js";
import type { IssueRecord, PullRecord, RepoRecord } from "./records.js";
import { addReview } from "./review-comments.js";
import { labelJson, nodeId, repoJson, type Urls, userJson } from "./shapes.js";
import type { GitHubState } from "./state.js";
import { exampleFor, overlay } from "./webhook-examples.js";

type Payload = Record<string, unknown>;
type PullIssue = IssueRecord & { pull: PullRecord };

export type Payloads = ReturnType<typeof createPayloads>;

export function createPayloads(state: GitHubState, urls: Urls) {
  /** The fields every repository event carries, over the example's. */
  function envelope(
    event: string,
    action: string,
    repo: RepoRecord,
    sender: string,
    fields: Payload,
  ): Payload {
    const example = exampleFor(event, action);
    const { organization: exampleOrg, enterprise: _enterprise, ...rest } = example;
    const payload = overlay(rest, {
      ...fields,
      action,
      repository: repoJson(urls, repo),
      sender: userJson(urls, state.user(sender)),
      installation: { id: repo.installationId, node_id: nodeId("Installation", repo.installationId) },
    }) as Payload;
    if (repo.owner.type === "Organization") payload.organization = overlay(exampleOrg, orgJson(urls, repo));
    return payload;
  }

  function issuePayload(issue: IssueRecord, action: string): Payload {
    const example = exampleFor("issues", action).issue as Payload;
    const { pull_request: _pr, ...base } = example;
    return overlay(base, issueJson(state, urls, issue)) as Payload;
  }

  async function pullPayload(issue: PullIssue, event: string, action: string): Promise<Payload> {
    const example = exampleFor(event, action).pull_request;
    return overlay(example, await pullJson(state, urls, issue)) as Payload;
  }

  function pullOf(repo: string, number: number): PullIssue {
    const issue = state.issue(repo, number);
    if (!issue.pull) throw new Error(`${repo}#${number} is not a pull request`);
    return issue as PullIssue;
  }

  return {
    /** An issue opened by `sender` (created in the simulator's state). */
    async issuesOpened(o: { repo: string; title: string; body?: string; sender: string; labels?: string[] }) {
      const issue = state.createIssue(o.repo, {
        title: o.title,
        body: o.body,
        user: o.sender,
        labels: o.labels,
      });
      return envelope("issues", "opened", issue.repo, o.sender, { issue: issuePayload(issue, "opened") });
    },

    async issueLabeled(o: { repo: string; issue: number; label: string; sender: string }) {
      const issue = state.issue(o.repo, o.issue);
      state.addLabel(issue, o.label);
      const label = labelJson(urls, issue.repo, state.label(issue.repo, o.label));
      return envelope("issues", "labeled", issue.repo, o.sender, {
        issue: issuePayload(issue, "labeled"),
        label,
      });
    },

    async issueUnlabeled(o: { repo: string; issue: number; label: string; sender: string }) {
      const issue = state.issue(o.repo, o.issue);
      issue.labels = issue.labels.filter((l) => l.toLowerCase() !== o.label.toLowerCase());
      const label = labelJson(urls, issue.repo, state.label(issue.repo, o.label));
      return envelope("issues", "unlabeled", issue.repo, o.sender, {
        issue: issuePayload(issue, "unlabeled"),
        label,
      });
    },

    async issuesClosed(o: { repo: string; issue: number; sender: string }) {
      const issue = state.issue(o.repo, o.issue);
      issue.state = "closed";
      issue.closedAt = isoNow();
      return envelope("issues", "closed", issue.repo, o.sender, { issue: issuePayload(issue, "closed") });
    },

    /** A comment by `sender` on an issue or pull request (stored, so the app can react to it by id). */
    async issueCommentCreated(o: { repo: string; issue: number; body: string; sender: string }) {
      const issue = state.issue(o.repo, o.issue);
      const comment = state.addComment(issue, o.body, state.user(o.sender).login);
      const example = exampleFor("issue_comment", "created");
      return envelope("issue_comment", "created", issue.repo, o.sender, {
        issue: overlay(example.issue, issueJson(state, urls, issue)),
        comment: overlay(example.comment, commentJson(state, urls, comment)),
      });
    },

    /** `sender` commits `files` to `branch` (default: the default branch); the `push` event for it. */
    async pushed(o: { repo: string; files: Record<string, string>; sender: string; branch?: string }) {
      const repo = state.repo(o.repo);
      const branch = o.branch ?? repo.defaultBranch;
      const after = await state.commitFiles(o.repo, branch, o.files);
      const payload = envelope("push", "", repo, o.sender, {
        ref: `refs/heads/${branch}`,
        after,
        base_ref: null,
      });
      delete payload.action; // push events carry no action
      return payload;
    },

    async issueCommentEdited(o: { repo: string; comment: number; body: string; sender: string }) {
      const comment = state.comment(o.repo, o.comment);
      const from = comment.body;
      comment.history.push(from);
      comment.body = o.body;
      comment.updatedAt = isoNow();
      const example = exampleFor("issue_comment", "edited");
      return envelope("issue_comment", "edited", comment.issue.repo, o.sender, {
        issue: overlay(example.issue, issueJson(state, urls, comment.issue)),
        comment: overlay(example.comment, commentJson(state, urls, comment)),
        changes: { body: { from } },
      });
    },

    /**
     * A review by `sender` on a pull request, with its body and inline comments (kept on the pull request
     * in state; a comment must be on a line of the diff's head side, as GitHub requires).
     */
    async pullRequestReviewSubmitted(o: {
      repo: string;
      pull: number;
      body: string | null;
      state?: "approved" | "changes_requested" | "commented";
      sender: string;
      comments?: { path: string; line: number; body: string }[];
    }) {
      const issue = pullOf(o.repo, o.pull);
      const reviewState = o.state ?? "commented";
      const review = await addReview(state, issue, {
        user: o.sender,
        body: o.body,
        state: reviewState.toUpperCase() as "APPROVED" | "CHANGES_REQUESTED" | "COMMENTED",
        ...(o.comments ? { comments: o.comments } : {}),
      });
      const pull_request = await pullPayload(issue, "pull_request_review", "submitted");
      const html = `${urls.web}/${issue.repo.fullName}/pull/${issue.number}`;
      const example = exampleFor("pull_request_review", "submitted").review;
      const reviewJson = overlay(example, {
        id: review.id,
        node_id: nodeId("PullRequestReview", review.id),
        user: userJson(urls, state.user(review.user)),
        body: review.body,
        commit_id: review.commitId,
        submitted_at: review.submittedAt,
        state: reviewState,
        html_url: `${html}#pullrequestreview-${review.id}`,
        pull_request_url: `${urls.api}/repos/${issue.repo.fullName}/pulls/${issue.number}`,
        author_association: authorAssociation(state, issue.repo, review.user),
        _links: {
          html: { href: `${html}#pullrequestreview-${review.id}` },
          pull_request: { href: pull_request.url },
        },
      });
      return envelope("pull_request_review", "submitted", issue.repo, o.sender, {
        review: reviewJson,
        pull_request,
      });
    },

    async pullRequestClosed(o: { repo: string; pull: number; sender: string }) {
      const issue = pullOf(o.repo, o.pull);
      issue.state = "closed";
      issue.closedAt = isoNow();
      const pull_request = await pullPayload(issue, "pull_request", "closed");
      return envelope("pull_request", "closed", issue.repo, o.sender, { number: issue.number, pull_request });
    },

    /** `sender` pressed the check run's button whose identifier is `identifier`. */
    async checkRunRequestedAction(o: { repo: string; checkRun: number; identifier: string; sender: string }) {
      const run = state.checkRun(o.repo, o.checkRun);
      const example = exampleFor("check_run", "requested_action").check_run as Payload;
      const json = checkRunJson(state, urls, run);
      const branch = state.issues.find((i) => i.repo === run.repo && i.pull?.headSha === run.headSha)?.pull
        ?.head;
      const check_suite = overlay(example.check_suite, {
        id: run.checkSuiteId,
        head_sha: run.headSha,
        head_branch: branch ?? null,
        app: json.app,
        pull_requests: json.pull_requests,
        url: `${urls.api}/repos/${run.repo.fullName}/check-suites/${run.checkSuiteId}`,
      });
      const check_run = overlay(example, { ...json, check_suite });
      return envelope("check_run", "requested_action", run.repo, o.sender, {
        check_run,
        requested_action: { identifier: o.identifier },
      });
    },
  };
}

function orgJson(urls: Urls, repo: RepoRecord) {
  const org = repo.owner;
  const url = `${urls.api}/orgs/${org.login}`;
  return {
    login: org.login,
    id: org.id,
    node_id: nodeId("Organization", org.id),
    url,
    repos_url: `${url}/repos`,
    events_url: `${url}/events`,
    hooks_url: `${url}/hooks`,
    issues_url: `${url}/issues`,
    members_url: `${url}/members{/member}`,
    public_members_url: `${url}/public_members{/member}`,
    avatar_url: `${urls.web}/avatars/u/${org.id}?v=4`,
    description: null,
  };
}
