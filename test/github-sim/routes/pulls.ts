// Pull request endpoints: open one (from a branch that was pushed), list with GitHub's filters, read
// one, update title, body, base or state, and list a review's inline comments.
import type { Permission } from "../auth.js";
import {
  bodyObject,
  isoNow,
  notFound,
  optionalString,
  paginate,
  requiredString,
  validationFailed,
} from "../http.js";
import { pullJson, pullSimpleJson } from "../pull-shapes.js";
import type { IssueRecord, PullRecord } from "../records.js";
import { reviewCommentJson } from "../review-comments.js";
import { asInstallation, defineRoute, intParam, type Route, type RouteContext } from "../router.js";

const READ: Permission = ["pull_requests", "read"];
const WRITE: Permission = ["pull_requests", "write"];

type PullIssue = IssueRecord & { pull: PullRecord };

export const pullRoutes: Route[] = [
  defineRoute("POST", "/repos/{owner}/{repo}/pulls", async (ctx) => {
    const repo = asInstallation(ctx, WRITE);
    const body = bodyObject(ctx.body);
    const draft = body.draft === true;
    const issue = await ctx.state.createPullRequest(repo.fullName, {
      title: requiredString(body, "title"),
      body: optionalString(body, "body"),
      head: requiredString(body, "head"),
      base: requiredString(body, "base"),
      draft,
      user: ctx.state.appBot().login,
    });
    return { status: 201, body: await pullJson(ctx.state, ctx.urls, issue) };
  }),

  defineRoute("GET", "/repos/{owner}/{repo}/pulls", async (ctx) => {
    const repo = asInstallation(ctx, READ);
    const state = ctx.query.get("state") ?? "open";
    if (!["open", "closed", "all"].includes(state)) throw validationFailed("PullRequest", "state");
    const head = ctx.query.get("head");
    const base = ctx.query.get("base");
    const pulls = (ctx.state.pulls(repo.fullName) as PullIssue[])
      .filter((p) => state === "all" || p.state === state)
      .filter((p) => !head || `${repo.owner.login}:${p.pull.head}`.toLowerCase() === head.toLowerCase())
      .filter((p) => !base || p.pull.base === base)
      .reverse();
    const json = await Promise.all(pulls.map((p) => pullSimpleJson(ctx.state, ctx.urls, p)));
    return paginate(json, ctx.query, ctx.selfUrl);
  }),

  defineRoute("GET", "/repos/{owner}/{repo}/pulls/{pull_number}", async (ctx) => {
    const issue = pullOf(ctx, READ);
    return { status: 200, body: await pullJson(ctx.state, ctx.urls, issue) };
  }),

  defineRoute("PATCH", "/repos/{owner}/{repo}/pulls/{pull_number}", async (ctx) => {
    const issue = pullOf(ctx, WRITE);
    const body = bodyObject(ctx.body);
    const title = optionalString(body, "title");
    const text = optionalString(body, "body");
    const state = optionalString(body, "state");
    const base = optionalString(body, "base");
    if (state !== undefined && state !== "open" && state !== "closed")
      throw validationFailed("PullRequest", "state");
    if (title !== undefined) issue.title = title;
    if (text !== undefined) issue.body = text;
    if (base !== undefined) issue.pull.base = base;
    if (typeof body.maintainer_can_modify === "boolean")
      issue.pull.maintainerCanModify = body.maintainer_can_modify;
    if (state !== undefined && state !== issue.state) {
      issue.state = state;
      issue.closedAt = state === "closed" ? isoNow() : null;
    }
    issue.updatedAt = isoNow();
    return { status: 200, body: await pullJson(ctx.state, ctx.urls, issue) };
  }),

  defineRoute(
    "GET",
    "/repos/{owner}/{repo}/pulls/{pull_number}/reviews/{review_id}/comments",
    async (ctx) => {
      const issue = pullOf(ctx, READ);
      const review = issue.pull.reviews.find((r) => r.id === intParam(ctx, "review_id"));
      if (!review) throw notFound();
      const json = review.comments.map((comment) =>
        reviewCommentJson(ctx.state, ctx.urls, issue, review, comment),
      );
      return paginate(json, ctx.query, ctx.selfUrl);
    },
  ),
];

function pullOf(ctx: RouteContext, permission: Permission): PullIssue {
  const repo = asInstallation(ctx, permission);
  const issue = ctx.state.issue(repo.fullName, intParam(ctx, "pull_number"));
  if (!issue.pull) throw notFound();
  return issue as PullIssue;
}
