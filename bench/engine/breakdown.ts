// Where a run's time goes, from the engine's own records: each milestone is the first RunEvent of its
// type (and phase), each segment the time between two consecutive milestones, per run.
import type pg from "pg";
import { mean, ms, percentile, table } from "./stats.js";

const MILESTONES = [
  "run.created",
  "run.started",
  "run.prepared",
  "prompt.sent:spec",
  "artifact.accepted:spec",
  "approval.decided",
  "prompt.sent:implement",
  "artifact.accepted:implement",
  "prompt.sent:review",
  "artifact.accepted:review",
  "report.written",
] as const;

const SEGMENTS: { label: string; worker: boolean }[] = [
  { label: "queued: start → a worker takes the job", worker: false },
  { label: "prepare: mirror fetch + worktree", worker: true },
  { label: "spec: session start + prompt", worker: true },
  { label: "spec: agent + artifact poll + commit/push", worker: true },
  { label: "gate: bench approver sees it and decides", worker: false },
  { label: "resume: job pickup + session + prompt", worker: false },
  { label: "implement: agent + poll + commit/push", worker: true },
  { label: "review: session start + prompt", worker: true },
  { label: "review: agent + poll + commit/push", worker: true },
  { label: "final report + run end", worker: true },
];

export interface Breakdown {
  text: string;
  /** Mean end-to-end latency of one run (created → report written). */
  perRunMs: number;
  /** Mean time per run a worker slot was busy on it (the segments marked worker). */
  workerMs: number;
  /** Mean prepare time in the first and the last tenth of runs (by start order). */
  prepareTrend: { firstMs: number; lastMs: number };
}

export async function breakdown(pool: pg.Pool, runIds: readonly string[]): Promise<Breakdown> {
  const result = await pool.query<{ runId: string; milestone: string; at: Date }>(
    `SELECT "runId", CASE WHEN type IN ('prompt.sent', 'artifact.accepted')
                          THEN type || ':' || (payload->>'phaseKey') ELSE type END AS milestone,
            min("createdAt") AS at
       FROM "RunEvent" WHERE "runId" = ANY($1::uuid[])
      GROUP BY 1, 2`,
    [runIds],
  );
  const byRun = new Map<string, Map<string, number>>();
  for (const row of result.rows) {
    const run = byRun.get(row.runId) ?? new Map<string, number>();
    run.set(row.milestone, row.at.getTime());
    byRun.set(row.runId, run);
  }
  const complete = [...byRun.values()]
    .filter((run) => MILESTONES.every((milestone) => run.has(milestone)))
    .sort((a, b) => (a.get("run.created") ?? 0) - (b.get("run.created") ?? 0));
  const segments = SEGMENTS.map((_, index) =>
    complete.map(
      (run) => (run.get(MILESTONES[index + 1] ?? "") ?? 0) - (run.get(MILESTONES[index] ?? "") ?? 0),
    ),
  );
  const totals = complete.map((run) => (run.get("report.written") ?? 0) - (run.get("run.created") ?? 0));
  const perRunMs = mean(totals);
  const rows = SEGMENTS.map((segment, index) => {
    const values = segments[index] ?? [];
    return [
      `${segment.worker ? "*" : " "} ${segment.label}`,
      ms(mean(values)),
      ms(percentile(values, 50), 0),
      ms(percentile(values, 99), 0),
      `${((100 * mean(values)) / perRunMs).toFixed(1)}%`,
    ];
  });
  rows.push(["  total: created → report written", ms(perRunMs), ms(percentile(totals, 50), 0), "", ""]);
  const workerMs = SEGMENTS.reduce(
    (sum, segment, index) => sum + (segment.worker ? mean(segments[index] ?? []) : 0),
    0,
  );
  const prepare = segments[1] ?? [];
  const tenth = Math.max(1, Math.floor(prepare.length / 10));
  const text = [
    `  per run, ${complete.length} runs (RunEvent timestamps, ms resolution; * = a worker slot is busy):`,
    table(["segment", "mean", "p50", "p99", "share"], rows),
  ].join("\n");
  return {
    text,
    perRunMs,
    workerMs,
    prepareTrend: { firstMs: mean(prepare.slice(0, tenth)), lastMs: mean(prepare.slice(-tenth)) },
  };
}
