// What the agents did, for the Checks tab: a table with a row per phase attempt (agent, model, duration,
// tokens, cost, files changed, outcome), then per attempt its artifact's summary, the commands its agent
// ran with their exit codes and the files it changed — all within a character budget, so that a run of
// any length fits GitHub's 65,535-character output. What agents wrote is escaped: it is shown, never
// rendered as Markdown or HTML.
import type { AttemptActivity, RunActivity, RunStatus } from "../../engine/index.js";
import { activityKey, formatUsd } from "../../engine/index.js";

/** Commands and files listed per attempt before the budget is even considered. */
const MAX_LISTED = 40;
const MAX_SUMMARY_CHARS = 600;
/** The table takes at most this share of the budget; the details get the rest. */
const TABLE_SHARE = 0.45;

type Phase = RunStatus["phases"][number];

const count = (value: number) => value.toLocaleString("en-US");

/** Text an agent wrote, as plain text in Markdown: one line, no Markdown or HTML it could smuggle in. */
export function plainText(text: string, maxChars: number): string {
  const flat = text.replace(/\s+/g, " ").trim();
  const cut = flat.length <= maxChars ? flat : `${flat.slice(0, maxChars - 1)}…`;
  return cut.replace(/[&<>]/g, (c) => `&#${c.charCodeAt(0)};`).replace(/[\\`*_[\]#!|~@]/g, "\\$&");
}

/** Text inside an HTML element (a `<summary>`, where Markdown is not read). */
function htmlText(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** An inline code span that the text cannot close early (GitHub's backtick rules). */
export function codeSpan(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  const longest = Math.max(0, ...[...flat.matchAll(/`+/g)].map((match) => match[0].length));
  const fence = "`".repeat(longest + 1);
  const pad = flat.startsWith("`") || flat.endsWith("`") ? " " : "";
  return `${fence}${pad}${flat}${pad}${fence}`;
}

/** A table cell: plain text, pipes escaped. */
function cell(text: string, maxChars = 60): string {
  return plainText(text, maxChars) || "—";
}

export function duration(from: Date, to: Date | null): string {
  if (!to) return "running";
  const seconds = Math.max(0, Math.round((to.getTime() - from.getTime()) / 1000));
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
  return `${Math.floor(seconds / 3600)} h ${Math.floor((seconds % 3600) / 60)} min`;
}

const OUTCOME: Record<string, string> = {
  running: "🤖 running",
  succeeded: "✅ succeeded",
  failed: "❌ failed",
  rejected: "↩️ rejected",
  aborted: "⏹ aborted",
};

function changed(activity: AttemptActivity | undefined): string {
  const stat = activity?.diffStat;
  if (!stat) return "—";
  if (stat.files === 0) return "no files";
  return `${stat.files} file${stat.files === 1 ? "" : "s"} +${count(stat.insertions)} −${count(stat.deletions)}`;
}

function tokens(activity: AttemptActivity | undefined): string {
  const usage = activity?.usage;
  if (!usage) return "—";
  const cached = usage.cacheReadTokens + usage.cacheWriteTokens;
  return `${count(usage.inputTokens)} in${cached > 0 ? ` (+${count(cached)} cache)` : ""} · ${count(usage.outputTokens)} out`;
}

function cost(activity: AttemptActivity | undefined): string {
  const usage = activity?.usage;
  if (!usage || usage.costUsd === null) return "—";
  return `${usage.costComplete ? "" : "≥ "}${formatUsd(usage.costUsd)}`;
}

function row(phase: Phase, activity: AttemptActivity | undefined): string {
  const outcome = `${OUTCOME[phase.state] ?? phase.state}${phase.failureCode ? ` (${phase.failureCode})` : ""}`;
  return `| ${cell(phase.phaseKey)} | ${phase.attempt} | ${cell(activity?.agent ?? "")} | ${cell(activity?.usage?.models.join(", ") ?? "")} | ${duration(phase.startedAt, phase.finishedAt)} | ${tokens(activity)} | ${cost(activity)} | ${changed(activity)} | ${cell(outcome)} |`;
}

function exitOf(command: AttemptActivity["commands"][number]): string {
  if (command.exitCode !== null) return `exit ${command.exitCode}${command.exitCode === 0 ? "" : " ❌"}`;
  return command.failed ? "failed ❌" : "no exit seen";
}

/** One attempt's details: its head, its lines (to be cut to the budget), its tail. */
function details(phase: Phase, activity: AttemptActivity | undefined) {
  const summary = (phase.artifact as { summary?: unknown } | null)?.summary;
  const commands = activity?.commands ?? [];
  const ranCount = commands.length + (activity?.commandsOmitted ?? 0);
  const files = activity?.diffStat;
  const facts = [
    `${count(ranCount)} command${ranCount === 1 ? "" : "s"}`,
    files ? changed(activity) : "",
    phase.state === "failed" ? "failed" : "",
  ].filter(Boolean);
  const head = `<details><summary>${htmlText(phase.phaseKey)} attempt ${phase.attempt}: ${htmlText(facts.join(", "))}</summary>\n\n`;
  const lines: string[] = [];
  if (typeof summary === "string" && summary.trim() !== "")
    lines.push(`Artifact: ${plainText(summary, MAX_SUMMARY_CHARS)}`, "");
  if (phase.failureReason)
    lines.push(`Why it failed: ${plainText(phase.failureReason, MAX_SUMMARY_CHARS)}`, "");
  if (ranCount > 0) {
    lines.push(`Commands (${ranCount}):`);
    for (const command of commands.slice(0, MAX_LISTED))
      lines.push(`- ${codeSpan(command.command)} → ${exitOf(command)}`);
    if (ranCount > MAX_LISTED) lines.push(`- … ${ranCount - MAX_LISTED} more`);
    lines.push("");
  }
  if (files && files.files > 0) {
    lines.push(`Files changed (${changed(activity)}):`);
    for (const path of files.paths.slice(0, MAX_LISTED))
      lines.push(`- ${codeSpan(path.path)} +${count(path.insertions)} −${count(path.deletions)}`);
    if (files.files > MAX_LISTED) lines.push(`- … ${files.files - MAX_LISTED} more`);
    lines.push("");
  }
  if (lines.length === 0) lines.push("Nothing recorded for this attempt.", "");
  return { head, lines, tail: "</details>" };
}

/** Lines from the start of `lines` that fit in `room` characters with `tail`; says what was left out. */
function fitLines(head: string, lines: readonly string[], tail: string, room: number, more: string): string {
  const note = `${more}\n`;
  let text = head;
  for (const [index, line] of lines.entries()) {
    const rest = lines.length - index - 1;
    const next = `${text}${line}\n`;
    if (next.length + tail.length + (rest > 0 ? note.length : 0) > room) {
      return text.length + note.length + tail.length <= room ? `${text}${note}${tail}` : "";
    }
    text = next;
  }
  return text.length + tail.length <= room ? `${text}${tail}` : "";
}

/**
 * The phases section of the check run, at most `budget` characters: the table (the newest rows when
 * not all fit), then each attempt's details, each given an equal share of what is left.
 */
export function renderPhaseActivity(
  status: Pick<RunStatus, "phases">,
  activity: RunActivity,
  budget: number,
  more: string,
): string {
  if (status.phases.length === 0) return "";
  const of = (phase: Phase) => activity.get(activityKey(phase.phaseKey, phase.attempt));
  const header = [
    "## Phases",
    "",
    "| Phase | Attempt | Agent | Model | Duration | Tokens | Cost | Changed | Outcome |",
    "|---|---|---|---|---|---|---|---|---|",
  ];
  const rows = status.phases.map((phase) => row(phase, of(phase)));
  const tableOf = (shown: number) =>
    [
      ...header,
      ...(shown < rows.length ? [`| … ${rows.length - shown} earlier attempts | | | | | | | | |`] : []),
      ...rows.slice(rows.length - shown),
    ].join("\n");
  const tableRoom = Math.floor(budget * TABLE_SHARE);
  let shown = rows.length;
  while (shown > 0 && tableOf(shown).length > tableRoom) shown -= 1;
  const table = tableOf(shown);
  let remaining = budget - table.length - 2;
  const sections: string[] = [];
  const phases = status.phases.slice(status.phases.length - shown);
  for (const [index, phase] of phases.entries()) {
    const share = Math.floor(remaining / (phases.length - index));
    const { head, lines, tail } = details(phase, of(phase));
    const section = fitLines(head, lines, tail, share - 2, `… ${more}`);
    if (section === "") continue;
    sections.push(section);
    remaining -= section.length + 2;
  }
  return [table, ...sections].join("\n\n");
}
