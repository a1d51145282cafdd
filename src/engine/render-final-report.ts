// The final report of a terminal run as Markdown (DESIGN §2): requirements, phases with attempts and
// durations, artifacts, decisions (who, when, source), the diff stat, failures with recovery hints.
import { ERROR_CODES } from "../errors/index.js";
import { type BudgetView, renderBudgetSection } from "./budget-report.js";
import type { RunUsage } from "./record-usage.js";
import { storedComments } from "./request-revision.js";
import type { RunStatus } from "./run-status.js";
import { describeUsage } from "./usage-summary.js";

export interface DiffSummary {
  files: number;
  insertions: number;
  deletions: number;
  text: string;
}

function duration(from: Date, to: Date | null): string {
  if (!to) return "—";
  const seconds = Math.max(0, Math.round((to.getTime() - from.getTime()) / 1000));
  return seconds < 60 ? `${seconds} s` : `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

function hintFor(code: string | null): string | undefined {
  if (!code) return undefined;
  return (ERROR_CODES as Record<string, { hint: string } | undefined>)[code]?.hint;
}

/** Inline code that cannot be broken out of by the text itself. */
function cell(text: string): string {
  return text.replaceAll("|", "\\|").replaceAll("\n", " ");
}

/** What the worker knows beyond the database: the run's agents that ran without a sandbox. */
export interface ReportNotes {
  readonly unsandboxedAgents?: readonly string[];
  /** What the run's agents consumed (usageOfRun); absent: no usage section. */
  readonly usage?: RunUsage;
  /** What the run spent against its limits; absent: only the crossings its events record. */
  readonly budget?: BudgetView;
}

export function renderFinalReport(
  status: RunStatus,
  diff: DiffSummary | undefined,
  notes: ReportNotes = {},
): string {
  const { run, phases, approvals } = status;
  const outcome =
    { completed: "✅ completed", failed: "❌ failed", aborted: "⏹ aborted" }[run.state as string] ??
    run.state;
  const revision = run.revision > 1 ? `, revision ${run.revision}` : "";
  const lines: string[] = [`# devflow run ${run.id}${revision}: ${outcome}`, ""];
  if (run.revisionOf) {
    lines.push(
      `- Revision ${run.revision} of run \`${run.revisionOf}\`, on its branch${run.pullRequestNumber ? ` and pull request #${run.pullRequestNumber}` : ""}`,
    );
  }
  lines.push(
    `- Template: ${run.template.name}@${run.template.version} (\`${run.template.hash.slice(0, 12)}\`)`,
    `- Repository: ${run.repository}${run.issueNumber ? ` (issue #${run.issueNumber})` : ""}, base \`${run.baseBranch}\`, branch \`${run.branch ?? "—"}\``,
    `- Started ${run.startedAt?.toISOString() ?? run.createdAt.toISOString()}, ended ${run.finishedAt?.toISOString() ?? "—"} (${duration(run.startedAt ?? run.createdAt, run.finishedAt)})`,
  );
  // The latest checkpoint (on refs/devflow/runs/<id>), which the branch reaches only at gates and the end.
  const checkpoint = phases.filter((p) => p.checkpointSha).at(-1)?.checkpointSha ?? run.headSha;
  if (checkpoint) lines.push(`- Last checkpoint: \`${checkpoint}\``);
  for (const agent of notes.unsandboxedAgents ?? []) {
    lines.push(
      `- ⚠️ Agent \`${agent}\` ran UNSANDBOXED (\`sandbox: none\` in the server config): it could read devflow's data directory and its processes were not contained.`,
    );
  }
  if (run.state !== "completed" && run.failureReason) {
    lines.push("", "## Why it ended", "", `${run.failureReason} (\`${run.failureCode ?? "unknown"}\`)`);
    const hint = hintFor(run.failureCode);
    if (hint) lines.push("", `What to do: ${hint}`);
  }
  lines.push("", "## Requirements", "", ...fenced(run.requirements));
  lines.push(...revisionSection(status));

  lines.push("", "## Phases", "");
  if (phases.length === 0) lines.push("No phase was started.");
  else {
    lines.push("| Phase | Attempt | Outcome | Duration | Checkpoint |", "|---|---|---|---|---|");
    for (const phase of phases) {
      const outcomeText =
        phase.state === "failed"
          ? `failed: ${cell(phase.failureReason ?? phase.failureCode ?? "")}`
          : phase.state;
      lines.push(
        `| ${phase.phaseKey} | ${phase.attempt} | ${outcomeText} | ${duration(phase.startedAt, phase.finishedAt)} | ${phase.checkpointSha ? `\`${phase.checkpointSha.slice(0, 7)}\`` : "—"} |`,
      );
    }
    const failures = phases.filter((phase) => phase.state === "failed" && hintFor(phase.failureCode));
    for (const failure of failures) {
      lines.push(
        "",
        `- ${failure.phaseKey} attempt ${failure.attempt} (\`${failure.failureCode}\`): ${hintFor(failure.failureCode)}`,
      );
    }
  }

  lines.push(...usageSection(notes.usage));
  lines.push(...renderBudgetSection(notes.budget, status.events));

  const accepted = phases.filter((phase) => phase.state === "succeeded" && phase.artifact !== null);
  if (accepted.length > 0) {
    lines.push("", "## Artifacts");
    for (const phase of accepted) {
      lines.push(
        "",
        `<details><summary>${phase.phaseKey} (attempt ${phase.attempt}, sha256 ${phase.artifactSha256?.slice(0, 12) ?? "—"})</summary>`,
        "",
        "~~~~json",
        JSON.stringify(phase.artifact, null, 2),
        "~~~~",
        "",
        "</details>",
      );
    }
  }

  lines.push("", "## Decisions", "");
  const decisions = approvals.flatMap((request) =>
    request.decisions.map((decision) => ({ request, decision })),
  );
  if (decisions.length === 0) lines.push("No human decision was recorded.");
  else {
    lines.push("| When | Gate | Decision | Who | Source | Reason |", "|---|---|---|---|---|---|");
    for (const { request, decision } of decisions) {
      lines.push(
        `| ${decision.createdAt.toISOString()} | ${request.gateKey} | ${decision.action} | ${cell(decision.actor)} | ${decision.source} | ${cell(decision.reason ?? "")} |`,
      );
    }
  }
  const open = approvals.filter((request) => request.state === "pending" || request.state === "superseded");
  for (const request of open) lines.push(`- ${request.gateKey} request left ${request.state}.`);

  lines.push("", "## Changes", "");
  if (!diff) lines.push("The diff is not available on the host that wrote this report.");
  else if (diff.files === 0) lines.push("No file changed.");
  else {
    lines.push(
      `${diff.files} file(s) changed, ${diff.insertions} insertion(s), ${diff.deletions} deletion(s).`,
      "",
      "```",
      diff.text.trimEnd(),
      "```",
    );
  }
  return `${lines.join("\n")}\n`;
}

/** Text a person wrote, in a Markdown fence it cannot close. */
function fenced(text: string): string[] {
  return ["~~~~markdown", text.replaceAll("~~~~", "~~~ ~"), "~~~~"];
}

/** What a revision was asked to change: each request, and each inline comment with its file and line. */
function revisionSection(status: RunStatus): string[] {
  if (status.revisionRequests.length === 0) return [];
  const lines = ["", `## What revision ${status.run.revision} was asked to change`];
  for (const request of status.revisionRequests) {
    const how = request.source === "review" ? "a review requesting changes" : "`/devflow revise`";
    lines.push(
      "",
      `@${request.actor} (${how}, ${request.createdAt.toISOString()}):`,
      "",
      ...fenced(request.text),
    );
    storedComments(request.comments).forEach((comment, index) => {
      const where = `\`${comment.path.replace(/[`\n\r]/g, "")}\`${comment.line ? ` line ${comment.line}` : ""}`;
      lines.push("", `Inline comment ${index + 1} on ${where}:`, "", ...fenced(comment.body));
    });
  }
  return lines;
}

/** Tokens and cost per phase attempt and for the run, as the agents' CLIs (or usage files) reported them. */
function usageSection(usage: RunUsage | undefined): string[] {
  if (usage === undefined) return [];
  const lines = ["", "## Usage", ""];
  if (usage.attempts.length === 0) return [...lines, "No agent reported its usage."];
  lines.push("| Phase | Attempt | Usage |", "|---|---|---|");
  for (const attempt of usage.attempts) {
    lines.push(`| ${attempt.phaseKey} | ${attempt.attempt} | ${cell(describeUsage(attempt))} |`);
  }
  return [...lines, "", `Run total: ${describeUsage(usage.total)}.`];
}
