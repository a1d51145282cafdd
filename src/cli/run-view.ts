// What the CLI shows of a run: its summary (the JSON shape of `devflow status RUN --json` and of the
// result line of `devflow run --json`) and one line of text per run event.
import type { PrismaClient, RunEvent } from "../db/index.js";
import type { RunStatus, RunUsage } from "../engine/index.js";
import { describeBudgetEvent, describeUsage, recentRuns } from "../engine/index.js";

export interface RunSummary {
  id: string;
  state: string;
  template: string;
  repository: string;
  baseBranch: string;
  branch: string | null;
  title: string | null;
  currentPhase: string | null;
  attempt: number | null;
  phases: {
    phase: string;
    attempt: number;
    state: string;
    startedAt: string;
    finishedAt: string | null;
    failureCode: string | null;
    failureReason: string | null;
  }[];
  pendingApproval: { requestId: string; gate: string; since: string } | null;
  decisions: {
    gate: string;
    action: string;
    actor: string;
    source: string;
    reason: string | null;
    at: string;
  }[];
  failure: { code: string | null; reason: string | null } | null;
  /** What the agents consumed, in words (describeUsage): per phase attempt and for the run; null: none. */
  usage: { total: string; phases: { phase: string; attempt: number; usage: string }[] } | null;
  worktreePath: string | null;
  reportPath: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

const iso = (date: Date | null) => (date ? date.toISOString() : null);

export function summarizeRun(status: RunStatus, usage?: RunUsage): RunSummary {
  const { run, phases, approvals } = status;
  const current = [...phases].reverse().find((phase) => phase.phaseKey === run.currentPhaseKey);
  const pending = approvals.find((request) => request.state === "pending");
  return {
    id: run.id,
    state: run.state,
    template: `${run.template.name}@${run.template.version}`,
    repository: run.repository,
    baseBranch: run.baseBranch,
    branch: run.branch,
    title: run.title,
    currentPhase: run.currentPhaseKey,
    attempt: current?.attempt ?? null,
    phases: phases.map((phase) => ({
      phase: phase.phaseKey,
      attempt: phase.attempt,
      state: phase.state,
      startedAt: phase.startedAt.toISOString(),
      finishedAt: iso(phase.finishedAt),
      failureCode: phase.failureCode,
      failureReason: phase.failureReason,
    })),
    pendingApproval: pending
      ? { requestId: pending.id, gate: pending.gateKey, since: pending.createdAt.toISOString() }
      : null,
    decisions: approvals.flatMap((request) =>
      request.decisions.map((decision) => ({
        gate: request.gateKey,
        action: decision.action,
        actor: decision.actor,
        source: decision.source,
        reason: decision.reason,
        at: decision.createdAt.toISOString(),
      })),
    ),
    failure:
      run.failureCode || run.failureReason ? { code: run.failureCode, reason: run.failureReason } : null,
    usage:
      usage === undefined || usage.attempts.length === 0
        ? null
        : {
            total: describeUsage(usage.total),
            phases: usage.attempts.map((entry) => ({
              phase: entry.phaseKey,
              attempt: entry.attempt,
              usage: describeUsage(entry),
            })),
          },
    worktreePath: run.worktreePath,
    reportPath: run.reportPath,
    createdAt: run.createdAt.toISOString(),
    startedAt: iso(run.startedAt),
    finishedAt: iso(run.finishedAt),
  };
}

/** The most recent runs, newest first, for `devflow status` without a run id. */
export async function listRuns(prisma: PrismaClient, limit = 20) {
  const runs = await recentRuns(prisma, limit);
  return runs.map((run) => ({
    id: run.id,
    state: run.state,
    title: run.title,
    repository: run.repository,
    currentPhase: run.currentPhaseKey,
    createdAt: run.createdAt.toISOString(),
    updatedAt: run.updatedAt.toISOString(),
  }));
}

export function eventJson(event: RunEvent) {
  return { seq: event.seq, type: event.type, at: event.createdAt.toISOString(), payload: event.payload };
}

type Payload = Record<string, unknown>;
const text = (value: unknown) => (value === undefined || value === null ? "" : String(value));

/** One line a person reads, e.g. "spec attempt 1: artifact accepted". */
export function describeEvent(event: Pick<RunEvent, "type" | "payload">): string {
  const p = (event.payload ?? {}) as Payload;
  const phase = p.phaseKey ? `${text(p.phaseKey)} attempt ${text(p.attempt)}: ` : "";
  switch (event.type) {
    case "run.created":
      return `run created (${text(p.template)}, ${text(p.repository)})`;
    case "run.started":
      return "run started";
    case "run.prepared":
      return `worktree ready on branch ${text(p.branch)} at ${text(p.headSha).slice(0, 7)}`;
    case "phase.started":
      return `${phase}started`;
    case "phase.completed":
      return `${phase}completed`;
    case "phase.failed":
      return `${phase}failed (${text(p.code)})${p.reason ? `: ${text(p.reason)}` : ""}`;
    case "prompt.sent":
      return `${phase}prompt sent to the agent`;
    case "artifact.expected":
      return `waiting for the artifact ${text(p.schema)} at ${text(p.path)}`;
    case "artifact.accepted":
      return `${phase}artifact accepted`;
    case "artifact.rejected":
      return `${phase}artifact rejected: ${Array.isArray(p.problems) ? p.problems.join("; ") : ""}`;
    case "checkpoint.pushed":
      // The branch moves at gates and at the end; other checkpoints go to the run's own ref only.
      return `checkpoint ${text(p.sha).slice(0, 7)} pushed${p.branch ? ` to ${text(p.branch)}` : ""}`;
    case "approval.requested":
      return `waiting for a decision at gate ${text(p.gateKey)}`;
    case "approval.decided":
      return `gate ${text(p.gateKey)}: ${text(p.action)} by ${text(p.actor)} (${text(p.source)})${p.reason ? `: ${text(p.reason)}` : ""}`;
    case "approval.superseded":
      return "the approval request was superseded (the branch moved)";
    case "session.failed":
      return `agent session failed${p.reason ? `: ${text(p.reason)}` : ""}`;
    case "run.paused":
      return `run paused: ${text(p.reason)}`;
    case "run.resumed":
      return `run resumed by ${text(p.actor)}`;
    case "run.completed":
      return "run completed";
    case "run.failed":
      return `run failed (${text(p.code)}): ${text(p.reason)}`;
    case "run.aborted":
      return `run aborted by ${text(p.actor)}`;
    case "report.written":
      return `final report: ${text(p.path)}`;
    case "budget.exceeded":
    case "budget.raised":
      return describeBudgetEvent(event) ?? `${event.type} ${JSON.stringify(p)}`;
    default:
      return `${event.type} ${JSON.stringify(p)}`;
  }
}
