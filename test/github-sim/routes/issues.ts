// Issue endpoints (a pull request is an issue too): the issue, its comments, reactions and labels.
import type { Permission } from "../auth.js";
import { ApiError, bodyObject, isoNow, paginate, requiredString, validationFailed } from "../http.js";
import { commentJson, issueJson } from "../issue-shapes.js";
import type { IssueRecord, ReactionRecord } from "../records.js";
import { asInstallation, defineRoute, intParam, type Route, type RouteContext } from "../router.js";
import { labelJson, REACTIONS, reactionJson } from "../shapes.js";

const READ: Permission[] = [
  ["issues", "read"],
  ["pull_requests", "read"],
];
const WRITE: Permission[] = [
  ["issues", "write"],
  ["pull_requests", "write"],
];
/** GitHub's limit on an issue comment body. */
export const COMMENT_MAX_CHARS = 65536;

export const issueRoutes: Route[] = [
  defineRoute("GET", "/repos/{owner}/{repo}/issues/{issue_number}", (ctx) => {
    const issue = issueOf(ctx, READ);
    return { status: 200, body: issueJson(ctx.state, ctx.urls, issue) };
  }),

  defineRoute("GET", "/repos/{owner}/{repo}/issues/{issue_number}/comments", (ctx) => {
    const issue = issueOf(ctx, READ);
    const comments = ctx.state.commentsOn(issue).map((c) => commentJson(ctx.state, ctx.urls, c));
    return paginate(comments, ctx.query, ctx.selfUrl);
  }),

  defineRoute("POST", "/repos/{owner}/{repo}/issues/{issue_number}/comments", (ctx) => {
    const issue = issueOf(ctx, WRITE);
    const body = commentBody(ctx.body);
    const comment = ctx.state.addComment(issue, body, ctx.state.appBot().login, true);
    return { status: 201, body: commentJson(ctx.state, ctx.urls, comment) };
  }),

  defineRoute("GET", "/repos/{owner}/{repo}/issues/comments/{comment_id}", (ctx) => {
    asInstallation(ctx, ...READ);
    const comment = ctx.state.comment(`${ctx.params.owner}/${ctx.params.repo}`, intParam(ctx, "comment_id"));
    return { status: 200, body: commentJson(ctx.state, ctx.urls, comment) };
  }),

  defineRoute("PATCH", "/repos/{owner}/{repo}/issues/comments/{comment_id}", (ctx) => {
    asInstallation(ctx, ...WRITE);
    const comment = ctx.state.comment(`${ctx.params.owner}/${ctx.params.repo}`, intParam(ctx, "comment_id"));
    const body = commentBody(ctx.body);
    if (body !== comment.body) {
      comment.history.push(comment.body);
      comment.body = body;
      comment.updatedAt = isoNow();
    }
    return { status: 200, body: commentJson(ctx.state, ctx.urls, comment) };
  }),

  defineRoute("GET", "/repos/{owner}/{repo}/issues/comments/{comment_id}/reactions", (ctx) => {
    asInstallation(ctx, ...READ);
    const comment = ctx.state.comment(`${ctx.params.owner}/${ctx.params.repo}`, intParam(ctx, "comment_id"));
    return listReactions(ctx, comment.reactions);
  }),

  defineRoute("POST", "/repos/{owner}/{repo}/issues/comments/{comment_id}/reactions", (ctx) => {
    asInstallation(ctx, ...WRITE);
    const comment = ctx.state.comment(`${ctx.params.owner}/${ctx.params.repo}`, intParam(ctx, "comment_id"));
    return react(ctx, comment.reactions);
  }),

  defineRoute("GET", "/repos/{owner}/{repo}/issues/{issue_number}/reactions", (ctx) =>
    listReactions(ctx, issueOf(ctx, READ).reactions),
  ),

  defineRoute("POST", "/repos/{owner}/{repo}/issues/{issue_number}/reactions", (ctx) =>
    react(ctx, issueOf(ctx, WRITE).reactions),
  ),

  defineRoute("GET", "/repos/{owner}/{repo}/issues/{issue_number}/labels", (ctx) => {
    const issue = issueOf(ctx, READ);
    return paginate(labelsOf(ctx, issue), ctx.query, ctx.selfUrl);
  }),

  defineRoute("POST", "/repos/{owner}/{repo}/issues/{issue_number}/labels", (ctx) => {
    const issue = issueOf(ctx, WRITE);
    for (const name of labelNames(ctx.body)) ctx.state.addLabel(issue, name);
    return { status: 200, body: labelsOf(ctx, issue) };
  }),

  defineRoute("PUT", "/repos/{owner}/{repo}/issues/{issue_number}/labels", (ctx) => {
    const issue = issueOf(ctx, WRITE);
    issue.labels = [];
    for (const name of labelNames(ctx.body)) ctx.state.addLabel(issue, name);
    return { status: 200, body: labelsOf(ctx, issue) };
  }),

  defineRoute("DELETE", "/repos/{owner}/{repo}/issues/{issue_number}/labels/{name}", (ctx) => {
    const issue = issueOf(ctx, WRITE);
    const name = (ctx.params.name ?? "").toLowerCase();
    if (!issue.labels.some((l) => l.toLowerCase() === name)) throw new ApiError(404, "Label does not exist");
    issue.labels = issue.labels.filter((l) => l.toLowerCase() !== name);
    issue.updatedAt = isoNow();
    return { status: 200, body: labelsOf(ctx, issue) };
  }),
];

function issueOf(ctx: RouteContext, needs: Permission[]): IssueRecord {
  const repo = asInstallation(ctx, ...needs);
  return ctx.state.issue(repo.fullName, intParam(ctx, "issue_number"));
}

function commentBody(raw: unknown): string {
  const body = requiredString(bodyObject(raw), "body");
  if (body.trim() === "") throw validationFailed("IssueComment", "body", "missing_field");
  if (body.length > COMMENT_MAX_CHARS) {
    throw validationFailed(
      "IssueComment",
      "body",
      "custom",
      `body is too long (maximum is ${COMMENT_MAX_CHARS} characters)`,
    );
  }
  return body;
}

function listReactions(ctx: RouteContext, reactions: ReactionRecord[]) {
  const json = reactions.map((r) => reactionJson(ctx.urls, r, ctx.state.user(r.user)));
  return paginate(json, ctx.query, ctx.selfUrl);
}

/** Adds the app's reaction; the same reaction again answers 200 with the existing one, as GitHub does. */
function react(ctx: RouteContext, reactions: ReactionRecord[]) {
  const content = requiredString(bodyObject(ctx.body), "content");
  if (!(REACTIONS as readonly string[]).includes(content)) throw validationFailed("Reaction", "content");
  const user = ctx.state.appBot();
  const existing = reactions.find((r) => r.user === user.login && r.content === content);
  if (existing) return { status: 200, body: reactionJson(ctx.urls, existing, user) };
  const reaction = { id: ctx.state.nextId(), user: user.login, content, createdAt: isoNow() };
  reactions.push(reaction);
  return { status: 201, body: reactionJson(ctx.urls, reaction, user) };
}

function labelsOf(ctx: RouteContext, issue: IssueRecord) {
  return issue.labels.map((name) => labelJson(ctx.urls, issue.repo, ctx.state.label(issue.repo, name)));
}

/** `{ labels: ["a"] }`, `{ labels: [{ name: "a" }] }` or `["a"]`, as GitHub accepts them. */
function labelNames(raw: unknown): string[] {
  const list = Array.isArray(raw) ? raw : bodyObject(raw).labels;
  if (!Array.isArray(list)) throw new ApiError(422, 'Invalid request.\n\n"labels" wasn\'t supplied.');
  return list.map((item) => {
    const name = typeof item === "string" ? item : (item as { name?: unknown })?.name;
    if (typeof name !== "string" || name === "") throw validationFailed("Label", "name", "missing_field");
    return name;
  });
}
