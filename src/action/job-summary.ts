// The job's summary page ($GITHUB_STEP_SUMMARY, Markdown): what the event did, where each run stands,
// and whether GitHub got every update. Never a secret: only ids, states and devflow's own words.
import { appendFile } from "node:fs/promises";
import type { DevflowError } from "../errors/index.js";
import type { DrainResult } from "./drain-effects.js";

export interface RunSummary {
  id: string;
  issueNumber: number | null;
  pullRequestNumber: number | null;
  state: string;
  /** The gate a pending approval request waits on. */
  waitingFor?: string;
  failureReason: string | null;
}

export interface JobFacts {
  event: string;
  deliveryId: string;
  /** What the app made of the event ("started …", "commands: approve", "already handled", …). */
  outcome: string;
  runs: RunSummary[];
  effects?: DrainResult;
}

export const PULLS_SETTING_HINT =
  'GitHub refused to let the workflow token open the run\'s pull request: turn on Settings → Actions → General → Workflow permissions → "Allow GitHub Actions to create and approve pull requests", or give devflow a GitHub App token (README, "Run as a GitHub Action").';

function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

export function renderJobSummary(facts: JobFacts): string {
  const lines = [
    "### devflow",
    "",
    `Event \`${facts.event}\` (delivery \`${facts.deliveryId}\`): ${facts.outcome}.`,
  ];
  if (facts.runs.length > 0) {
    lines.push("", "| Run | Issue | Pull request | State | Waiting for |", "|---|---|---|---|---|");
    for (const run of facts.runs) {
      const waiting = run.waitingFor
        ? `\`${run.waitingFor}\`: comment \`/approve\` or \`/reject <reason>\``
        : run.failureReason
          ? cell(run.failureReason)
          : run.state === "executing"
            ? "its next phase: the next devflow job (an event or the schedule)"
            : "";
      lines.push(
        `| \`${run.id}\` | ${run.issueNumber ? `#${run.issueNumber}` : ""} | ${run.pullRequestNumber ? `#${run.pullRequestNumber}` : ""} | ${run.state} | ${waiting} |`,
      );
    }
  }
  if (facts.effects) {
    const { delivered, pending, failed } = facts.effects;
    lines.push("", `GitHub updates delivered: ${delivered}.`);
    if (pending > 0)
      lines.push(`⚠️ ${pending} still pending: the repository's next devflow job delivers them.`);
    if (failed > 0) lines.push(`❌ ${failed} gave up after repeated failures (see the job log).`);
    if (facts.effects.pullRequestsRefused > 0) lines.push(`⚠️ ${PULLS_SETTING_HINT}`);
  }
  return `${lines.join("\n")}\n`;
}

export function renderFailureSummary(error: DevflowError | Error): string {
  const code = "code" in error ? ` (\`${String(error.code)}\`)` : "";
  const hint = "recoveryHint" in error ? `\n\n${String(error.recoveryHint)}` : "";
  return `### devflow failed${code}\n\n${error.message}${hint}\n`;
}

export async function appendJobSummary(path: string | undefined, markdown: string): Promise<void> {
  if (path) await appendFile(path, `${markdown}\n`);
}
