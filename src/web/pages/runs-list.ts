// The runs list: filters as a plain GET form, one row per run, a link to the next page.
import { type Html, html } from "../html.js";
import { RUN_STATES, type RunFilters, type RunListPage } from "../run-queries.js";

export function elapsed(from: Date | null, to: Date | null, now = new Date()): string {
  if (!from) return "";
  const seconds = Math.max(0, Math.round(((to ?? now).getTime() - from.getTime()) / 1000));
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

function filterLink(filters: RunFilters, after: string): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(filters)) if (value) query.set(key, String(value));
  query.set("after", after);
  return `/?${query.toString()}`;
}

export function runsListBody(page: RunListPage, filters: RunFilters): Html {
  const field = (name: keyof RunFilters, label: string) =>
    html`<label>${label}<input name="${name}" value="${filters[name] ?? ""}"></label>`;
  return html`<h1>Runs</h1>
<form class="filters" method="get" action="/" aria-label="Filter runs">
${field("repository", "Repository")}
<label>State<select name="state"><option value="">any</option>${RUN_STATES.map(
    (state) => html`<option${filters.state === state ? html` selected` : ""}>${state}</option>`,
  )}</select></label>
${field("agent", "Agent")}
${field("startedBy", "Started by")}
<button>Filter</button></form>
${
  page.runs.length === 0
    ? html`<p>No runs match.</p>`
    : html`<div class="table-wrap"><table><thead><tr><th>Run</th><th>Repository</th><th>State</th><th>Phase</th><th>Elapsed</th><th>Agents</th><th>Started by</th><th>Usage</th></tr></thead><tbody>
${page.runs.map(
  (run) => html`<tr><td><a href="/runs/${run.id}">${run.title ?? run.id.slice(0, 8)}</a></td>
<td>${run.repository}${run.issueNumber ? ` #${run.issueNumber}` : ""}</td>
<td class="state">${run.state}</td><td>${run.currentPhaseKey ?? ""}</td>
<td>${elapsed(run.startedAt ?? run.createdAt, run.finishedAt)}</td><td>${run.agents.join(", ")}</td>
<td>${run.startedBy ?? ""}</td>
<td>${run.tokens === undefined ? "" : `${run.tokens.toLocaleString("en-US")} tokens`}${run.costUsd === undefined ? "" : ` · $${run.costUsd.toFixed(4)}`}</td></tr>`,
)}</tbody></table></div>`
}
${page.next ? html`<p><a href="${filterLink(filters, page.next)}" rel="next">Older runs →</a></p>` : ""}`;
}
