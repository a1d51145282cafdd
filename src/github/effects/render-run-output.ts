// What GitHub shows of a run: the sticky status comment, the check run's output and its conclusion.

import type { RunActivity, RunStatus } from "../../engine/index.js";
import { BUDGET_GATE, budgetGateText, readBudgetState } from "../../engine/index.js";
import { plainText, renderPhaseActivity } from "./render-phase-activity.js";

/** GitHub's limit on a check run's output.summary and output.text. */
export const CHECK_OUTPUT_LIMIT = 65_535;

export function statusMarker(runId: string): string {
  return `<!-- devflow:run:${runId} -->`;
}

/** The sticky comment is the revision chain's: it carries the first run's marker, and its newest run writes it. */
export function stickyMarker(run: { id: string; revisionOf: string | null }): string {
  return statusMarker(run.revisionOf ?? run.id);
}

export function writesStickyComment(status: RunStatus): boolean {
  return (status.chain.at(-1)?.id ?? status.run.id) === status.run.id;
}

function revisionLabel(run: { revision: number }): string {
  return run.revision > 1 ? `, revision ${run.revision}` : "";
}

/** Each run of the chain once it has a revision: the pull request's history at a glance. */
function chainList(status: RunStatus): string {
  if (status.chain.length < 2) return "";
  return [
    "Revisions of this pull request:",
    ...status.chain.map(
      (run) =>
        `- revision ${run.revision} (\`${run.id.slice(0, 8)}\`): ${STATE_LINE[run.state] ?? run.state}`,
    ),
  ].join("\n");
}

const STATE_LINE: Record<string, string> = {
  queued: "⏳ queued",
  preparing: "🛠 preparing the worktree",
  executing: "🤖 working",
  awaiting_approval: "✋ waiting for your decision",
  paused: "⏸ paused: needs a human",
  completed: "✅ completed",
  failed: "❌ failed",
  aborted: "⏹ aborted",
};

function phaseTable(status: RunStatus): string {
  if (status.phases.length === 0) return "";
  const rows = status.phases.map(
    (p) => `| ${p.phaseKey} | ${p.attempt} | ${p.state}${p.failureCode ? ` (${p.failureCode})` : ""} |`,
  );
  return ["| Phase | Attempt | State |", "|---|---|---|", ...rows].join("\n");
}

function pendingGate(status: RunStatus) {
  return status.approvals.find((request) => request.state === "pending");
}

export function renderStatusComment(status: RunStatus): string {
  const lines = [stickyMarker(status.run), ...statusLines(status)];
  const table = phaseTable(status);
  if (table) lines.push("", table);
  return lines.join("\n");
}

/** Where the run stands and what it waits for, in words (the sticky comment and the check run). */
function statusLines(status: RunStatus): string[] {
  const { run } = status;
  const lines = [
    `**devflow** run \`${run.id.slice(0, 8)}\`${revisionLabel(run)}: ${STATE_LINE[run.state] ?? run.state}${run.currentPhaseKey && run.state === "executing" ? ` on \`${run.currentPhaseKey}\`` : ""}`,
  ];
  const gate = pendingGate(status);
  const crossing = gate?.gateKey === BUDGET_GATE ? readBudgetState(run.budget).crossed : undefined;
  if (gate && run.state === "awaiting_approval") {
    lines.push(
      "",
      crossing
        ? `**Budget:** ${budgetGateText(crossing)}`
        : `The \`${gate.gateKey}\` gate is open: review the artifact in the check run, then comment \`/approve\` or \`/reject <reason>\`.`,
    );
  }
  if (gate && run.state === "paused") {
    lines.push(
      "",
      "The agent's session could not be recovered. Comment `/retry` to continue from the last checkpoint, or `/abort`.",
    );
  }
  if (run.pullRequestNumber) lines.push("", `Pull request: #${run.pullRequestNumber}`);
  const chain = chainList(status);
  if (chain) lines.push("", chain);
  if (run.failureReason && run.state !== "completed") lines.push("", `> ${run.failureReason}`);
  return lines;
}

export interface CheckRunOutput {
  status: "queued" | "in_progress" | "completed";
  conclusion?: "success" | "failure" | "cancelled" | "action_required" | "neutral";
  title: string;
  summary: string;
  text?: string;
  actions: { label: string; description: string; identifier: string }[];
}

/** Cuts text to GitHub's limit, saying where the full text is. */
export function fitOutput(text: string, fullAt: string): string {
  if (text.length <= CHECK_OUTPUT_LIMIT) return text;
  const note = `\n\n… cut to fit GitHub's limit. The full report is ${fullAt}.`;
  return text.slice(0, CHECK_OUTPUT_LIMIT - note.length) + note;
}

/** What the check run shows besides the run's status: what each phase did, and where to see it all. */
export interface CheckRunExtras {
  readonly activity?: RunActivity;
  /** The run's page on the dashboard (DEVFLOW_PUBLIC_URL), when devflow has a public address. */
  readonly runUrl?: string;
}

/** The summary: where the run stands, the dashboard link, then the phases table and their details. */
function checkSummary(status: RunStatus, head: string[], extras: CheckRunExtras): string {
  const link = extras.runUrl
    ? `[Open the run on the dashboard](${extras.runUrl}): its live transcript, prompts, decisions and report.`
    : "";
  const top = [...head, ...(link ? ["", link] : [])].join("\n");
  const more = extras.runUrl ? "more on the dashboard" : "more in the final report";
  const room = CHECK_OUTPUT_LIMIT - top.length - 2;
  const phases = renderPhaseActivity(status, extras.activity ?? new Map(), room, more);
  const fullAt = extras.runUrl ? `on the dashboard: ${extras.runUrl}` : "in the final report";
  return fitOutput(phases ? `${top}\n\n${phases}` : top, fullAt);
}

export function renderCheckRun(
  status: RunStatus,
  report: string | undefined,
  extras: CheckRunExtras = {},
): CheckRunOutput {
  const { run } = status;
  const title = `${run.revision > 1 ? `Revision ${run.revision}: ` : ""}${STATE_LINE[run.state] ?? run.state}${run.currentPhaseKey && run.state === "executing" ? `: ${run.currentPhaseKey}` : ""}`;
  const gate = pendingGate(status);
  const head = [
    ...statusLines(status),
    ...(gate && run.state === "awaiting_approval"
      ? ["", "Use the buttons above, or comment `/approve` / `/reject <reason>`."]
      : []),
  ];
  const summary = checkSummary(status, head, extras);
  const terminal = run.state === "completed" || run.state === "failed" || run.state === "aborted";
  if (terminal && !run.reportWrittenAt) {
    // The check run concludes with the final report, so it stays open for the moment between the run
    // ending and its report being written (the report's own effect follows). A report written on
    // another host, unreadable here, still concludes it, with the summary.
    return { status: "in_progress", title: `${title}: writing the final report`, summary, actions: [] };
  }
  if (terminal) {
    const conclusion =
      run.state === "completed" ? "success" : run.state === "failed" ? "failure" : "cancelled";
    // The report's own heading, then the phases; the report itself follows in the text.
    const failure =
      run.state !== "completed" && run.failureReason ? `> ${plainText(run.failureReason, 2000)}` : "";
    const ended = [
      `# devflow run ${run.id}${revisionLabel(run)}: ${STATE_LINE[run.state]}`,
      ...(failure ? ["", failure] : []),
    ];
    const fullAt = extras.runUrl
      ? `on the dashboard: ${extras.runUrl}`
      : `in \`${run.reportPath ?? "the run's report file"}\` on the devflow host`;
    return {
      status: "completed",
      conclusion,
      title,
      summary: checkSummary(status, ended, extras),
      ...(report ? { text: fitOutput(report, fullAt) } : {}),
      actions: [],
    };
  }
  const accepted = status.phases.filter((p) => p.state === "succeeded" && p.artifact !== null).at(-1);
  const text = accepted
    ? `### Latest artifact: ${accepted.phaseKey}\n\n\`\`\`json\n${JSON.stringify(accepted.artifact, null, 2)}\n\`\`\``
    : undefined;
  return {
    status: run.state === "queued" ? "queued" : "in_progress",
    title,
    summary,
    ...(text ? { text: fitOutput(text, "in the run's artifacts") } : {}),
    actions:
      gate && run.state === "awaiting_approval"
        ? [
            { label: "Approve", description: `Approve ${gate.gateKey}`, identifier: "approve" },
            { label: "Reject", description: `Reject ${gate.gateKey}`, identifier: "reject" },
          ]
        : [],
  };
}

export interface Annotation {
  path: string;
  start_line: number;
  end_line: number;
  annotation_level: "failure" | "warning" | "notice";
  message: string;
}

/** Review findings with a file and a line, as check annotations. */
export function reviewAnnotations(status: RunStatus): Annotation[] {
  const review = status.phases.filter((p) => p.phaseKey === "review" && p.state === "succeeded").at(-1)
    ?.artifact as
    | { findings?: { path?: string; line?: number; severity?: string; message?: string }[] }
    | null
    | undefined;
  const level = { error: "failure", warning: "warning", notice: "notice" } as const;
  return (review?.findings ?? [])
    .filter((f) => f.path && f.line)
    .map((f) => ({
      path: f.path as string,
      start_line: f.line as number,
      end_line: f.line as number,
      annotation_level: level[(f.severity ?? "notice") as keyof typeof level] ?? "notice",
      message: f.message ?? "",
    }));
}
