// The table of REST calls the conformance test makes, in order: every route the simulator serves, with
// the status GitHub would answer (successes and GitHub's errors). Later rows use ids earlier ones kept.
import { MAX_ANNOTATIONS_PER_REQUEST, MAX_OUTPUT_CHARS } from "./check-runs.js";
import { REPO } from "./sim-fixture.js";

export interface Ids {
  installation: number;
  issue: number;
  comment: number;
  pull: number;
  checkRun: number;
  headSha: string;
  delivery: number;
  /** A merged pull request with a review holding two inline comments (made through the state). */
  reviewPull: number;
  review: number;
  /** A code the "new app" page handed out for a manifest. */
  manifestCode: string;
}

export interface Row {
  name: string;
  method: string;
  path: (ids: Ids) => string;
  auth?: "app" | "token" | "none";
  body?: (ids: Ids) => unknown;
  accept?: string;
  status: number;
  /** Reads ids the later rows need from this response. */
  keep?: (body: unknown, ids: Ids) => void;
}

const r = `/repos/${REPO}`;
const annotation = {
  path: "README.md",
  start_line: 1,
  end_line: 1,
  annotation_level: "warning",
  message: "m",
};

export const restCalls: Row[] = [
  { name: "the app", method: "GET", path: () => "/app", auth: "app", status: 200 },
  {
    name: "an app from a manifest",
    method: "POST",
    path: (i) => `/app-manifests/${i.manifestCode}/conversions`,
    auth: "none",
    status: 201,
  },
  {
    name: "a manifest code used twice",
    method: "POST",
    path: (i) => `/app-manifests/${i.manifestCode}/conversions`,
    auth: "none",
    status: 404,
  },
  {
    name: "an installation",
    method: "GET",
    path: (i) => `/app/installations/${i.installation}`,
    auth: "app",
    status: 200,
  },
  {
    name: "an installation token",
    method: "POST",
    path: (i) => `/app/installations/${i.installation}/access_tokens`,
    auth: "app",
    status: 201,
  },
  {
    name: "a repository's installation",
    method: "GET",
    path: () => `${r}/installation`,
    auth: "app",
    status: 200,
  },
  { name: "the repository", method: "GET", path: () => r, status: 200 },
  { name: "a file as JSON", method: "GET", path: () => `${r}/contents/.github/devflow.yml`, status: 200 },
  { name: "a directory", method: "GET", path: () => `${r}/contents/.github`, status: 200 },
  { name: "a missing file", method: "GET", path: () => `${r}/contents/.github/nope.yml`, status: 404 },
  { name: "the issue", method: "GET", path: (i) => `${r}/issues/${i.issue}`, status: 200 },
  { name: "a missing issue", method: "GET", path: () => `${r}/issues/999`, status: 404 },
  {
    name: "a new comment",
    method: "POST",
    path: (i) => `${r}/issues/${i.issue}/comments`,
    body: () => ({ body: "status: queued" }),
    status: 201,
    keep: (b, i) => {
      i.comment = (b as { id: number }).id;
    },
  },
  {
    name: "an empty comment",
    method: "POST",
    path: (i) => `${r}/issues/${i.issue}/comments`,
    body: () => ({ body: "" }),
    status: 422,
  },
  {
    name: "a comment over 65,536 characters",
    method: "POST",
    path: (i) => `${r}/issues/${i.issue}/comments`,
    body: () => ({ body: "x".repeat(65537) }),
    status: 422,
  },
  { name: "the comments", method: "GET", path: (i) => `${r}/issues/${i.issue}/comments`, status: 200 },
  {
    name: "an edited comment",
    method: "PATCH",
    path: (i) => `${r}/issues/comments/${i.comment}`,
    body: () => ({ body: "status: running" }),
    status: 200,
  },
  { name: "a comment", method: "GET", path: (i) => `${r}/issues/comments/${i.comment}`, status: 200 },
  { name: "a missing comment", method: "GET", path: () => `${r}/issues/comments/999999`, status: 404 },
  {
    name: "a reaction on a comment",
    method: "POST",
    path: (i) => `${r}/issues/comments/${i.comment}/reactions`,
    body: () => ({ content: "eyes" }),
    status: 201,
  },
  {
    name: "the same reaction again",
    method: "POST",
    path: (i) => `${r}/issues/comments/${i.comment}/reactions`,
    body: () => ({ content: "eyes" }),
    status: 200,
  },
  {
    name: "an unknown reaction",
    method: "POST",
    path: (i) => `${r}/issues/comments/${i.comment}/reactions`,
    body: () => ({ content: "wave" }),
    status: 422,
  },
  {
    name: "a comment's reactions",
    method: "GET",
    path: (i) => `${r}/issues/comments/${i.comment}/reactions`,
    status: 200,
  },
  {
    name: "a reaction on an issue",
    method: "POST",
    path: (i) => `${r}/issues/${i.issue}/reactions`,
    body: () => ({ content: "rocket" }),
    status: 201,
  },
  {
    name: "an issue's reactions",
    method: "GET",
    path: (i) => `${r}/issues/${i.issue}/reactions`,
    status: 200,
  },
  {
    name: "added labels",
    method: "POST",
    path: (i) => `${r}/issues/${i.issue}/labels`,
    body: () => ({ labels: ["devflow", "extra"] }),
    status: 200,
  },
  {
    name: "set labels",
    method: "PUT",
    path: (i) => `${r}/issues/${i.issue}/labels`,
    body: () => ({ labels: ["devflow", "extra"] }),
    status: 200,
  },
  {
    name: "a removed label",
    method: "DELETE",
    path: (i) => `${r}/issues/${i.issue}/labels/extra`,
    status: 200,
  },
  {
    name: "a label not on the issue",
    method: "DELETE",
    path: (i) => `${r}/issues/${i.issue}/labels/extra`,
    status: 404,
  },
  { name: "the labels", method: "GET", path: (i) => `${r}/issues/${i.issue}/labels`, status: 200 },
  {
    name: "a draft pull request",
    method: "POST",
    path: () => `${r}/pulls`,
    body: () => ({
      title: "devflow: add a thing",
      head: "devflow/1-add-a-thing",
      base: "main",
      draft: true,
      body: "Closes #1",
    }),
    status: 201,
    keep: (b, i) => {
      i.pull = (b as { number: number }).number;
      i.headSha = (b as { head: { sha: string } }).head.sha;
    },
  },
  {
    name: "a second pull request for the same head",
    method: "POST",
    path: () => `${r}/pulls`,
    body: () => ({ title: "again", head: "devflow/1-add-a-thing", base: "main" }),
    status: 422,
  },
  {
    name: "a pull request from a branch never pushed",
    method: "POST",
    path: () => `${r}/pulls`,
    body: () => ({ title: "t", head: "nope", base: "main" }),
    status: 422,
  },
  {
    name: "the open pull requests",
    method: "GET",
    path: () => `${r}/pulls?head=acme:devflow/1-add-a-thing`,
    status: 200,
  },
  { name: "a pull request", method: "GET", path: (i) => `${r}/pulls/${i.pull}`, status: 200 },
  {
    name: "an updated pull request",
    method: "PATCH",
    path: (i) => `${r}/pulls/${i.pull}`,
    body: () => ({ body: "Closes #1\n\nupdated" }),
    status: 200,
  },
  { name: "a merged pull request", method: "GET", path: (i) => `${r}/pulls/${i.reviewPull}`, status: 200 },
  {
    name: "a review's inline comments",
    method: "GET",
    path: (i) => `${r}/pulls/${i.reviewPull}/reviews/${i.review}/comments`,
    status: 200,
  },
  {
    name: "the inline comments of a review that does not exist",
    method: "GET",
    path: (i) => `${r}/pulls/${i.reviewPull}/reviews/999999/comments`,
    status: 404,
  },
  {
    name: "an issue that is a pull request",
    method: "GET",
    path: (i) => `${r}/issues/${i.pull}`,
    status: 200,
  },
  {
    name: "a check run with annotations and buttons",
    method: "POST",
    path: () => `${r}/check-runs`,
    body: (i) => ({
      name: "devflow",
      head_sha: i.headSha,
      status: "in_progress",
      output: { title: "Spec", summary: "awaiting approval", annotations: [annotation] },
      actions: [{ label: "Approve", description: "Approve the spec", identifier: "approve" }],
    }),
    status: 201,
    keep: (b, i) => {
      i.checkRun = (b as { id: number }).id;
    },
  },
  {
    name: "a check run on an unknown commit",
    method: "POST",
    path: () => `${r}/check-runs`,
    body: () => ({ name: "x", head_sha: "0".repeat(40) }),
    status: 422,
  },
  {
    name: "51 annotations in one request",
    method: "PATCH",
    path: (i) => `${r}/check-runs/${i.checkRun}`,
    body: () => ({
      output: {
        title: "t",
        summary: "s",
        annotations: Array(MAX_ANNOTATIONS_PER_REQUEST + 1).fill(annotation),
      },
    }),
    status: 422,
  },
  {
    name: "output text over 65,535 characters",
    method: "PATCH",
    path: (i) => `${r}/check-runs/${i.checkRun}`,
    body: () => ({ output: { title: "t", summary: "s", text: "x".repeat(MAX_OUTPUT_CHARS + 1) } }),
    status: 422,
  },
  {
    name: "a completed check run with the final report",
    method: "PATCH",
    path: (i) => `${r}/check-runs/${i.checkRun}`,
    body: () => ({
      conclusion: "success",
      output: { title: "Done", summary: "completed", text: "x".repeat(MAX_OUTPUT_CHARS) },
    }),
    status: 200,
  },
  { name: "a check run", method: "GET", path: (i) => `${r}/check-runs/${i.checkRun}`, status: 200 },
  {
    name: "the check runs of a commit, by name",
    method: "GET",
    path: (i) => `${r}/commits/${i.headSha}/check-runs?check_name=devflow`,
    status: 200,
  },
  {
    name: "a check run's annotations",
    method: "GET",
    path: (i) => `${r}/check-runs/${i.checkRun}/annotations`,
    status: 200,
  },
  {
    name: "a collaborator's permission",
    method: "GET",
    path: () => `${r}/collaborators/alice/permission`,
    status: 200,
  },
  {
    name: "an unknown user's permission",
    method: "GET",
    path: () => `${r}/collaborators/nobody-at-all/permission`,
    status: 404,
  },
  {
    name: "the app's webhook deliveries",
    method: "GET",
    path: () => "/app/hook/deliveries?per_page=1",
    auth: "app",
    status: 200,
    keep: (b, i) => {
      i.delivery = (b as { id: number }[])[0]?.id ?? 0;
    },
  },
  {
    name: "a webhook delivery",
    method: "GET",
    path: (i) => `/app/hook/deliveries/${i.delivery}`,
    auth: "app",
    status: 200,
  },
  {
    name: "a redelivery",
    method: "POST",
    path: (i) => `/app/hook/deliveries/${i.delivery}/attempts`,
    auth: "app",
    status: 202,
  },
  {
    name: "a missing delivery",
    method: "GET",
    path: () => "/app/hook/deliveries/1",
    auth: "app",
    status: 404,
  },
  { name: "a repository call without a token", method: "GET", path: () => r, auth: "none", status: 401 },
  {
    name: "an App call with an installation token",
    method: "GET",
    path: () => "/app",
    auth: "token",
    status: 401,
  },
];
