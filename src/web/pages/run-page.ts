// A run's page: state and actions, the live transcript (Server-Sent Events, resuming from the last chunk
// the page has), each phase attempt (attempt-section.ts), the decisions with who/when/how, the report
// and the event timeline.

import type { RunStatus } from "../../engine/index.js";
import { activityKey } from "../../engine/index.js";
import { Html, html } from "../html.js";
import type { runExtras } from "../run-queries.js";
import { attemptSection } from "./attempt-section.js";
import { elapsed } from "./runs-list.js";

type Extras = Awaited<ReturnType<typeof runExtras>>;

// The transcript stream: EventSource reconnects by itself and sends Last-Event-ID, so the server
// resumes after the last chunk this page has.
const STREAM_SCRIPT = `
(function(){var box=document.getElementById("transcript");var src=new EventSource(box.dataset.stream);
src.onmessage=function(e){var atEnd=box.scrollTop+box.clientHeight>=box.scrollHeight-8;box.append(document.createTextNode(e.data));if(atEnd)box.scrollTop=box.scrollHeight;};
src.addEventListener("end",function(){src.close();document.getElementById("live").textContent="finished";});})();`;

function actions(status: RunStatus, csrf: string | undefined): Html {
  if (csrf === undefined) return html``;
  const { run } = status;
  const pending = status.approvals.find((request) => request.state === "pending");
  const terminal = ["completed", "failed", "aborted"].includes(run.state);
  const button = (action: string, label: string, extra: Html | string = "") =>
    html`<form class="inline" method="post" action="/runs/${run.id}/actions"><input type="hidden" name="csrf" value="${csrf}"><input type="hidden" name="action" value="${action}">${extra}<button>${label}</button></form>`;
  return html`<section aria-label="Actions">${
    pending && pending.gateKey !== "session_recovery_required"
      ? html`${button("approve", "Approve")}${button(
          "reject",
          "Reject",
          html`<label>Reason <input name="reason" required maxlength="2000"></label>`,
        )}`
      : ""
  }${run.state === "paused" || run.state === "executing" ? button("retry", "Retry") : ""}${terminal ? "" : button("abort", "Abort")}</section>`;
}

export function runBody(
  status: RunStatus,
  extras: Extras,
  options: { csrf: string | undefined; notice?: string },
): Html {
  const { run } = status;
  const terminal = ["completed", "failed", "aborted"].includes(run.state);
  return html`<h1>${run.title ?? "Run"} <small class="state">${run.state}</small></h1>
${options.notice ? html`<p class="notice" role="status">${options.notice}</p>` : ""}
<p>${run.repository}${run.issueNumber ? ` #${run.issueNumber}` : ""} · ${run.template.name}@${run.template.version} · phase ${run.currentPhaseKey ?? "—"} · ${elapsed(run.startedAt ?? run.createdAt, run.finishedAt)}${extras.startedBy ? ` · started by ${extras.startedBy}` : ""}${run.branch ? ` · branch ${run.branch}` : ""}</p>
${run.failureReason ? html`<p class="error">${run.failureCode ?? ""}: ${run.failureReason}</p>` : ""}
${actions(status, options.csrf)}
<h2>Transcript <small id="live">${terminal ? "finished" : "live"}</small></h2>
<pre id="transcript" tabindex="0" aria-live="polite" data-stream="/runs/${run.id}/transcript"></pre>
<h2>Phase attempts</h2>
${status.phases.map((phase) =>
  attemptSection(
    phase,
    extras.activity.get(activityKey(phase.phaseKey, phase.attempt)),
    extras.prompts.filter((p) => p.phaseKey === phase.phaseKey && p.attempt === phase.attempt),
  ),
)}
<h2>Decisions</h2>
${
  status.approvals.length === 0
    ? html`<p>None yet.</p>`
    : html`<ul>${status.approvals.map(
        (request) =>
          html`<li>${request.gateKey} (attempt ${request.attempt}): <strong>${request.state}</strong>${request.decisions.length > 0 ? html`<ul>${request.decisions.map((d) => html`<li>${d.action} by ${d.actor} via ${d.source} at ${d.createdAt.toISOString()}${d.reason ? ` — ${d.reason}` : ""}</li>`)}</ul>` : ""}</li>`,
      )}</ul>`
}
<h2>Report</h2>
${extras.report ? html`<pre id="report">${extras.report.text}</pre>` : html`<p>Not written yet.</p>`}
<h2>Timeline</h2>
<ol>${status.events.map((event) => html`<li><time>${event.createdAt.toISOString()}</time> ${event.type}</li>`)}</ol>
<script>${new Html(STREAM_SCRIPT)}</script>`;
}
