// Check runs as the Checks API keeps them: the request fields with GitHub's limits (≤ 50 annotations per
// request, ≤ 65,535 characters of output, ≤ 3 actions) enforced with GitHub's 422 messages, annotations
// appended across updates, and the `check-run` / `check-annotation` JSON shapes.
import { ApiError, bodyObject, isoNow, optionalString } from "./http.js";
import type { Annotation, CheckRunRecord, IssueRecord } from "./records.js";
import { appJson, nodeId, type Urls } from "./shapes.js";
import type { GitHubState } from "./state.js";

export const MAX_ANNOTATIONS_PER_REQUEST = 50;
export const MAX_OUTPUT_CHARS = 65535;
const STATUSES = ["queued", "in_progress", "completed", "waiting", "requested", "pending"];
const CONCLUSIONS = [
  "action_required",
  "cancelled",
  "failure",
  "neutral",
  "success",
  "skipped",
  "stale",
  "timed_out",
];
const LEVELS = ["notice", "warning", "failure"];

const invalid = (detail: string) => new ApiError(422, `Invalid request.\n\n${detail}`);
const tooMany = (max: number, n: number) =>
  invalid(`No more than ${max} items are allowed; ${n} were supplied.`);

function limitChars(value: string | undefined, max: number) {
  if (value !== undefined && value.length > max) {
    throw invalid(`Only ${max} characters are allowed; ${value.length} were supplied.`);
  }
}

/** Applies a create or update request body to a check run: all of it, or (on a 422) none of it. */
export function applyCheckRunBody(target: CheckRunRecord, raw: unknown, creating: boolean): void {
  const run = { ...target, output: { ...target.output }, annotations: [...target.annotations] };
  applyFields(run, raw, creating);
  Object.assign(target, run);
  target.updates.push(bodyObject(raw));
}

function applyFields(run: CheckRunRecord, raw: unknown, creating: boolean): void {
  const body = bodyObject(raw);
  const name = optionalString(body, "name");
  if (creating && !name) throw invalid('"name" wasn\'t supplied.');
  if (name !== undefined) run.name = name;
  const status = optionalString(body, "status");
  const conclusion = optionalString(body, "conclusion");
  if (status !== undefined && !STATUSES.includes(status))
    throw invalid(`For 'properties/status', "${status}" is not one of the allowed values.`);
  if (conclusion !== undefined && !CONCLUSIONS.includes(conclusion)) {
    throw invalid(`For 'properties/conclusion', "${conclusion}" is not one of the allowed values.`);
  }
  const completedAt = optionalString(body, "completed_at");
  const completing = status === "completed" || completedAt !== undefined;
  if (completing && conclusion === undefined && run.conclusion === null)
    throw invalid('"conclusion" wasn\'t supplied.');
  for (const key of ["details_url", "external_id", "started_at"] as const) optionalString(body, key);
  if (body.details_url !== undefined) run.detailsUrl = (body.details_url as string | null) ?? null;
  if (body.external_id !== undefined) run.externalId = (body.external_id as string | null) ?? null;
  if (typeof body.started_at === "string") run.startedAt = body.started_at;
  if (status !== undefined) run.status = status;
  if (conclusion !== undefined) {
    run.conclusion = conclusion;
    run.status = "completed";
  }
  if (run.status === "completed") run.completedAt = completedAt ?? run.completedAt ?? isoNow();
  if (body.actions !== undefined) run.actions = actionsOf(body.actions);
  if (body.output !== undefined) applyOutput(run, body.output);
}

function applyOutput(run: CheckRunRecord, raw: unknown): void {
  const output = bodyObject(raw);
  const title = optionalString(output, "title");
  const summary = optionalString(output, "summary");
  const text = optionalString(output, "text");
  if (title === undefined) throw invalid('"title" wasn\'t supplied.');
  if (summary === undefined) throw invalid('"summary" wasn\'t supplied.');
  limitChars(summary, MAX_OUTPUT_CHARS);
  limitChars(text, MAX_OUTPUT_CHARS);
  const annotations = output.annotations === undefined ? [] : output.annotations;
  if (!Array.isArray(annotations)) throw invalid(`For 'properties/annotations', it is not an array.`);
  if (annotations.length > MAX_ANNOTATIONS_PER_REQUEST)
    throw tooMany(MAX_ANNOTATIONS_PER_REQUEST, annotations.length);
  const checked = annotations.map(annotationOf);
  run.output = { title, summary, text: text ?? run.output.text };
  run.annotations.push(...checked);
}

function annotationOf(raw: unknown): Annotation {
  const a = bodyObject(raw);
  for (const key of ["path", "annotation_level", "message"]) {
    if (typeof a[key] !== "string") throw invalid(`"${key}" wasn't supplied.`);
  }
  for (const key of ["start_line", "end_line"]) {
    if (!Number.isInteger(a[key])) throw invalid(`"${key}" wasn't supplied.`);
  }
  if (!LEVELS.includes(a.annotation_level as string))
    throw invalid(
      `For 'properties/annotation_level', "${a.annotation_level}" is not one of the allowed values.`,
    );
  limitChars(a.message as string, 64 * 1024);
  limitChars(a.title as string | undefined, 255);
  return a as unknown as Annotation;
}

function actionsOf(raw: unknown): CheckRunRecord["actions"] {
  if (!Array.isArray(raw)) throw invalid(`For 'properties/actions', it is not an array.`);
  if (raw.length > 3) throw tooMany(3, raw.length);
  return raw.map((item) => {
    const action = bodyObject(item);
    const label = optionalString(action, "label") ?? "";
    const description = optionalString(action, "description") ?? "";
    const identifier = optionalString(action, "identifier") ?? "";
    if (!label || !description || !identifier)
      throw invalid('"label", "description" and "identifier" are required.');
    limitChars(label, 20);
    limitChars(description, 40);
    limitChars(identifier, 20);
    return { label, description, identifier };
  });
}

export function checkRunJson(state: GitHubState, urls: Urls, run: CheckRunRecord) {
  const api = `${urls.api}/repos/${run.repo.fullName}/check-runs/${run.id}`;
  const installation = state.installations.get(run.repo.installationId);
  const openPulls = state.issues.filter(
    (i): i is IssueRecord & { pull: NonNullable<IssueRecord["pull"]> } =>
      i.repo === run.repo && i.state === "open" && i.pull?.headSha === run.headSha,
  );
  const repoRef = { id: run.repo.id, url: `${urls.api}/repos/${run.repo.fullName}`, name: run.repo.name };
  return {
    id: run.id,
    name: run.name,
    node_id: nodeId("CheckRun", run.id),
    head_sha: run.headSha,
    external_id: run.externalId ?? "",
    url: api,
    html_url: `${urls.web}/${run.repo.fullName}/runs/${run.id}`,
    details_url: run.detailsUrl ?? `${urls.web}/apps/${state.app.slug}`,
    status: run.status,
    conclusion: run.conclusion,
    started_at: run.startedAt,
    completed_at: run.completedAt,
    output: {
      ...run.output,
      annotations_count: run.annotations.length,
      annotations_url: `${api}/annotations`,
    },
    check_suite: { id: run.checkSuiteId },
    app: installation ? appJson(urls, state.app, installation.permissions, installation.events) : null,
    pull_requests: openPulls.map((p) => ({
      id: p.pull.id,
      number: p.number,
      url: `${urls.api}/repos/${run.repo.fullName}/pulls/${p.number}`,
      head: { ref: p.pull.head, sha: p.pull.headSha, repo: repoRef },
      base: { ref: p.pull.base, sha: p.pull.baseSha, repo: repoRef },
    })),
  };
}

export function annotationJson(urls: Urls, run: CheckRunRecord, a: Annotation) {
  return {
    path: a.path,
    start_line: a.start_line,
    end_line: a.end_line,
    start_column: a.start_column ?? null,
    end_column: a.end_column ?? null,
    annotation_level: a.annotation_level,
    title: a.title ?? null,
    message: a.message,
    raw_details: a.raw_details ?? null,
    blob_href: `${urls.web}/${run.repo.fullName}/blob/${run.headSha}/${a.path}`,
  };
}
