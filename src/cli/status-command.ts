// `devflow status [RUN] [--json]`: one run in detail, or the most recent runs.

import { getRunStatus, usageOfRun } from "../engine/index.js";
import { loadCliEnvironment } from "./cli-environment.js";
import { parseCommand } from "./command-args.js";
import { commandsFor } from "./gate.js";
import { formatElapsed } from "./progress-reporter.js";
import { listRuns, type RunSummary, summarizeRun } from "./run-view.js";
import { assertStoreExistsFor, hasEmbeddedStore, openStateStore, resolveRunId } from "./state-store.js";

const HELP = `Usage: devflow status [RUN] [--json]

Without RUN: the 20 most recent runs. With RUN (a run id or its first characters): its state, phases
and attempts, the pending approval and the commands that decide it, decisions, failure and report.

Options:
  --json      Machine-readable: {"runs":[…]} without RUN, {"run":{…}} with it
  -h, --help  Show this help`;

const SPEC = {
  name: "status",
  help: HELP,
  positionals: ["RUN"],
  options: { json: { type: "boolean" } },
} as const;

export async function runStatusCommand(argv: string[]): Promise<number> {
  const parsed = parseCommand(SPEC, argv);
  if (parsed.help) {
    console.log(HELP);
    return 0;
  }
  const [runText] = parsed.positionals;
  const json = parsed.values.json === true;
  const env = loadCliEnvironment();
  if (runText === undefined && !env.databaseUrl && !hasEmbeddedStore(env)) {
    console.log(json ? JSON.stringify({ runs: [] }) : "No runs yet.");
    return 0;
  }
  if (runText !== undefined) assertStoreExistsFor(env, runText);
  const store = await openStateStore(env);
  try {
    if (runText === undefined) {
      const runs = await listRuns(store.prisma);
      if (json) console.log(JSON.stringify({ runs }));
      else if (runs.length === 0) console.log("No runs yet.");
      else
        for (const run of runs)
          console.log(
            `${run.id}  ${run.state.padEnd(17)} ${(run.currentPhase ?? "").padEnd(10)} ${run.title ?? ""}`,
          );
      return 0;
    }
    const runId = await resolveRunId(store.prisma, runText);
    const summary = summarizeRun(
      await getRunStatus(store.prisma, runId),
      await usageOfRun(store.prisma, runId),
    );
    console.log(json ? JSON.stringify({ run: summary }) : describeRun(summary));
    return 0;
  } finally {
    await store.close();
  }
}

function describeRun(run: RunSummary): string {
  const lines = [
    `Run ${run.id}: ${run.state}${run.currentPhase ? ` (${run.currentPhase}, attempt ${run.attempt})` : ""}`,
    `  ${run.title ?? ""}`,
    `  template ${run.template}, repository ${run.repository}, base ${run.baseBranch}${run.branch ? `, branch ${run.branch}` : ""}`,
    "  phases:",
    ...run.phases.map((phase) => {
      const took = phase.finishedAt
        ? ` in ${formatElapsed(Date.parse(phase.finishedAt) - Date.parse(phase.startedAt))}`
        : "";
      const why = phase.failureReason ? ` — ${phase.failureReason}` : "";
      return `    ${phase.phase} attempt ${phase.attempt}: ${phase.state}${took}${why}`;
    }),
  ];
  if (run.pendingApproval) {
    const commands = commandsFor(run.id, run.pendingApproval.gate);
    lines.push(
      `  waiting at gate ${run.pendingApproval.gate} since ${run.pendingApproval.since}:`,
      `    ${commands.approve}`,
      `    ${commands.reject}`,
      `    ${commands.abort}`,
    );
  }
  for (const decision of run.decisions)
    lines.push(
      `  ${decision.gate}: ${decision.action} by ${decision.actor} via ${decision.source}${decision.reason ? ` (${decision.reason})` : ""}`,
    );
  if (run.usage) {
    lines.push(`  usage: ${run.usage.total}`);
    for (const entry of run.usage.phases)
      lines.push(`    ${entry.phase} attempt ${entry.attempt}: ${entry.usage}`);
  }
  if (run.failure) lines.push(`  failure ${run.failure.code}: ${run.failure.reason}`);
  if (run.reportPath) lines.push(`  report: ${run.reportPath}`);
  return lines.join("\n");
}
