// Check run endpoints: create (on a commit that exists), update, read, and list annotations.
import { annotationJson, applyCheckRunBody, checkRunJson } from "../check-runs.js";
import { commitExists } from "../git-repos.js";
import { ApiError, bodyObject, isoNow, paginate, requiredString } from "../http.js";
import type { CheckRunRecord } from "../records.js";
import { asInstallation, defineRoute, intParam, type Route } from "../router.js";

export const checkRoutes: Route[] = [
  defineRoute("POST", "/repos/{owner}/{repo}/check-runs", async (ctx) => {
    const repo = asInstallation(ctx, ["checks", "write"]);
    const headSha = requiredString(bodyObject(ctx.body), "head_sha");
    if (!(await commitExists(repo.gitDir, headSha)))
      throw new ApiError(422, `No commit found for SHA: ${headSha}`);
    const run: CheckRunRecord = {
      id: 0,
      repo,
      name: "",
      headSha,
      status: "queued",
      conclusion: null,
      startedAt: null,
      completedAt: null,
      detailsUrl: null,
      externalId: null,
      output: { title: null, summary: null, text: null },
      annotations: [],
      actions: [],
      checkSuiteId: ctx.state.checkSuiteFor(repo, headSha),
      updates: [],
    };
    applyCheckRunBody(run, ctx.body, true);
    run.id = ctx.state.nextId();
    run.startedAt ??= isoNow();
    ctx.state.checkRuns.set(run.id, run);
    return { status: 201, body: checkRunJson(ctx.state, ctx.urls, run) };
  }),

  defineRoute("PATCH", "/repos/{owner}/{repo}/check-runs/{check_run_id}", (ctx) => {
    const repo = asInstallation(ctx, ["checks", "write"]);
    const run = ctx.state.checkRun(repo.fullName, intParam(ctx, "check_run_id"));
    applyCheckRunBody(run, ctx.body, false);
    return { status: 200, body: checkRunJson(ctx.state, ctx.urls, run) };
  }),

  defineRoute("GET", "/repos/{owner}/{repo}/check-runs/{check_run_id}", (ctx) => {
    const repo = asInstallation(ctx, ["checks", "read"]);
    const run = ctx.state.checkRun(repo.fullName, intParam(ctx, "check_run_id"));
    return { status: 200, body: checkRunJson(ctx.state, ctx.urls, run) };
  }),

  // Check runs on a commit (by SHA), optionally of one name: how an app finds a check run it created.
  defineRoute("GET", "/repos/{owner}/{repo}/commits/{ref}/check-runs", (ctx) => {
    const repo = asInstallation(ctx, ["checks", "read"]);
    const ref = ctx.params.ref ?? "";
    const name = ctx.query.get("check_name");
    const runs = [...ctx.state.checkRuns.values()].filter(
      (run) => run.repo === repo && run.headSha === ref && (name === null || run.name === name),
    );
    const body = runs.map((run) => checkRunJson(ctx.state, ctx.urls, run));
    return { status: 200, body: { total_count: body.length, check_runs: body } };
  }),

  defineRoute("GET", "/repos/{owner}/{repo}/check-runs/{check_run_id}/annotations", (ctx) => {
    const repo = asInstallation(ctx, ["checks", "read"]);
    const run = ctx.state.checkRun(repo.fullName, intParam(ctx, "check_run_id"));
    const annotations = run.annotations.map((a) => annotationJson(ctx.urls, run, a));
    return paginate(annotations, ctx.query, ctx.selfUrl);
  }),
];
