// One phase attempt on a run's page: its agent, model, duration, usage, checkpoint commit and what it
// changed, the commands its agent ran with their exit codes, every prompt as the agent saw it (persona,
// instructions and fenced data, then the envelope's fields) and the artifact it was accepted with.
import type { AttemptActivity, RunStatus } from "../../engine/index.js";
import { describeUsage } from "../../engine/index.js";
import { type Html, html } from "../html.js";
import type { runExtras } from "../run-queries.js";
import { elapsed } from "./runs-list.js";

type Phase = RunStatus["phases"][number];
type Prompt = Awaited<ReturnType<typeof runExtras>>["prompts"][number];

const json = (value: unknown) =>
  JSON.stringify(value, (_key, item) => (typeof item === "bigint" ? String(item) : item), 2);

function exitOf(command: AttemptActivity["commands"][number]): string {
  if (command.exitCode !== null) return `exit ${command.exitCode}`;
  return command.failed ? "failed" : "no exit seen";
}

function changes(activity: AttemptActivity | undefined): Html {
  const stat = activity?.diffStat;
  if (!stat) return html``;
  if (stat.files === 0) return html`<p>Changed no file.</p>`;
  const listed =
    stat.paths.length < stat.files ? html`<p>… ${stat.files - stat.paths.length} more files.</p>` : "";
  return html`<h3>Changed ${stat.files} file(s), +${stat.insertions} −${stat.deletions}</h3>
<div class="table-wrap"><table><thead><tr><th>File</th><th>Added</th><th>Removed</th></tr></thead><tbody>${stat.paths.map(
    (path) =>
      html`<tr><td><code>${path.path}</code></td><td>+${path.insertions}</td><td>−${path.deletions}</td></tr>`,
  )}</tbody></table></div>${listed}`;
}

function commands(activity: AttemptActivity | undefined): Html {
  const ran = activity?.commands ?? [];
  if (ran.length === 0) return html``;
  const omitted = activity?.commandsOmitted ?? 0;
  return html`<h3>Commands (${ran.length + omitted})</h3><ol class="commands">${ran.map(
    (command) =>
      html`<li><code>${command.command}</code> → <span class="${command.exitCode === 0 ? "" : "failed"}">${exitOf(command)}</span></li>`,
  )}</ol>${omitted > 0 ? html`<p>… ${omitted} more not kept.</p>` : ""}`;
}

function prompt(entry: Prompt): Html {
  const { instructions, ...envelope } = (entry.envelope ?? {}) as { instructions?: unknown };
  return html`<h3>Prompt ${entry.dedupKey.split(":").at(-1)} <small>sent ${entry.sentAt.toISOString()}</small></h3>
${typeof instructions === "string" ? html`<pre class="prompt">${instructions}</pre>` : html`<p>Not stored (sent before devflow kept prompts).</p>`}
<details><summary>Envelope</summary><pre>${json(envelope)}</pre></details>`;
}

export function attemptSection(
  phase: Phase,
  activity: AttemptActivity | undefined,
  prompts: readonly Prompt[],
): Html {
  const facts = [
    phase.state,
    activity?.agent,
    activity?.usage?.models.join(", "),
    phase.finishedAt ? elapsed(phase.startedAt, phase.finishedAt) : "running",
  ].filter(Boolean);
  return html`<details class="attempt"${phase.state === "running" ? html` open` : ""}><summary><strong>${phase.phaseKey}</strong> attempt ${phase.attempt}: ${facts.join(" · ")}</summary>
${phase.failureReason ? html`<p class="error">${phase.failureCode ?? ""}: ${phase.failureReason}</p>` : ""}
<dl class="facts"><dt>Agent</dt><dd>${activity?.agent ?? "—"}</dd>
<dt>Usage</dt><dd>${activity?.usage ? describeUsage(activity.usage) : "none reported"}</dd>
<dt>Checkpoint</dt><dd>${phase.checkpointSha ? html`<code>${phase.checkpointSha}</code>` : "—"}</dd></dl>
${changes(activity)}
${commands(activity)}
${prompts.map(prompt)}
${phase.artifact ? html`<h3>Artifact</h3><pre>${json(phase.artifact)}</pre>` : ""}</details>`;
}
