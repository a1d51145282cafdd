// Usage per phase attempt (issue 13): what each prompt of an attempt consumed, as read from the agent's
// stream or usage file, stored once per prompt and source, and summed per attempt and per run for the
// final report, `devflow status` and `devflow logs`.
import { Prisma, type PrismaClient, type UsageSource as StoredSource } from "../db/index.js";
import { DevflowError } from "../errors/index.js";
import type { CommandList, PhaseUsage, UsageSource } from "../sessions/index.js";

const STORED: Record<UsageSource, StoredSource> = { stream: "stream", "usage-file": "usage_file" };

export interface RecordUsageInput {
  readonly runId: string;
  readonly phaseKey: string;
  readonly attempt: number;
  /** The prompt within the attempt (0 first, one more per re-prompt); default 0. */
  readonly prompt?: number;
  readonly usage: PhaseUsage;
  /** The shell commands the prompt's agent ran (its CLI's stream), stored with the stream's record. */
  readonly commands?: CommandList;
}

function checkUsage(usage: PhaseUsage): void {
  const counts = [usage.inputTokens, usage.outputTokens, usage.cacheReadTokens, usage.cacheWriteTokens];
  const bad =
    counts.some((count) => !Number.isSafeInteger(count) || count < 0) ||
    (usage.costUsd !== null && !(Number.isFinite(usage.costUsd) && usage.costUsd >= 0)) ||
    (usage.model !== null && usage.model.length > 200);
  if (bad) {
    // The stream parsers never produce this: a caller passed usage that did not come from them.
    throw new DevflowError(
      "A usage record has a negative or non-integer count, a bad cost, or a model name over 200 characters.",
      {
        code: "internal_error",
        details: { usage },
      },
    );
  }
}

function storedCommands(list: CommandList): Prisma.InputJsonObject {
  return {
    commands: list.commands.map(({ command, exitCode, failed }) => ({ command, exitCode, failed })),
    omitted: list.omitted,
  };
}

/**
 * Stores what prompt `prompt` of the attempt consumed. A replayed job reporting the same prompt and
 * source replaces the row, so nothing is counted twice. Throws `internal_error` when the attempt does
 * not exist (the engine records usage of attempts it has just run).
 */
export async function recordUsage(prisma: PrismaClient, input: RecordUsageInput): Promise<void> {
  checkUsage(input.usage);
  const { runId, phaseKey, attempt } = input;
  const phaseAttempt = await prisma.phaseAttempt.findUnique({
    where: { runId_phaseKey_attempt: { runId, phaseKey, attempt } },
    select: { id: true },
  });
  if (phaseAttempt === null) {
    throw new DevflowError(
      `Run ${runId} has no attempt ${attempt} of phase ${phaseKey} to record usage for.`,
      {
        code: "internal_error",
        details: { runId, phaseKey, attempt },
      },
    );
  }
  const { usage } = input;
  const values = {
    inputTokens: BigInt(usage.inputTokens),
    outputTokens: BigInt(usage.outputTokens),
    cacheReadTokens: BigInt(usage.cacheReadTokens),
    cacheWriteTokens: BigInt(usage.cacheWriteTokens),
    model: usage.model,
    costUsd: usage.costUsd === null ? null : new Prisma.Decimal(usage.costUsd),
    ...(input.commands === undefined ? {} : { commands: storedCommands(input.commands) }),
  };
  const key = { phaseAttemptId: phaseAttempt.id, prompt: input.prompt ?? 0, source: STORED[usage.source] };
  await prisma.phaseUsage.upsert({
    where: { phaseAttemptId_prompt_source: key },
    create: { ...key, ...values },
    update: values,
  });
}

export interface UsageTotals {
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly cacheReadTokens: number;
  readonly cacheWriteTokens: number;
  /** The sum of the known costs; null when no record had one. */
  readonly costUsd: number | null;
  /** False when some record had no cost: then costUsd is a lower bound, and reports must say so. */
  readonly costComplete: boolean;
  /** The models seen, sorted. */
  readonly models: readonly string[];
}

export interface RunUsage {
  readonly total: UsageTotals;
  /** Per phase attempt that has usage, in the order the attempts started. */
  readonly attempts: readonly ({ readonly phaseKey: string; readonly attempt: number } & UsageTotals)[];
}

interface UsageRow {
  inputTokens: bigint;
  outputTokens: bigint;
  cacheReadTokens: bigint;
  cacheWriteTokens: bigint;
  costUsd: Prisma.Decimal | null;
  model: string | null;
}

function totalsOf(rows: readonly UsageRow[]): UsageTotals {
  const sum = (key: "inputTokens" | "outputTokens" | "cacheReadTokens" | "cacheWriteTokens") =>
    Number(rows.reduce((total, row) => total + row[key], 0n));
  const costs = rows.flatMap((row) => (row.costUsd === null ? [] : [row.costUsd]));
  return {
    inputTokens: sum("inputTokens"),
    outputTokens: sum("outputTokens"),
    cacheReadTokens: sum("cacheReadTokens"),
    cacheWriteTokens: sum("cacheWriteTokens"),
    costUsd:
      costs.length === 0
        ? null
        : costs.reduce((total, cost) => total.add(cost), new Prisma.Decimal(0)).toNumber(),
    costComplete: costs.length === rows.length,
    models: [...new Set(rows.flatMap((row) => (row.model === null ? [] : [row.model])))].sort(),
  };
}

/**
 * The run's usage: its total and one entry per phase attempt that recorded any. A prompt with both a
 * stream and a usage-file record counts once, by its stream: the CLI's own count, not the agent's word.
 */
export async function usageOfRun(prisma: PrismaClient, runId: string): Promise<RunUsage> {
  const all = await prisma.phaseUsage.findMany({
    where: { phaseAttempt: { runId } },
    include: { phaseAttempt: { select: { phaseKey: true, attempt: true, startedAt: true } } },
    orderBy: [{ phaseAttempt: { startedAt: "asc" } }, { prompt: "asc" }],
  });
  const streamed = new Set(
    all.filter((row) => row.source === "stream").map((row) => `${row.phaseAttemptId}:${row.prompt}`),
  );
  const rows = all.filter(
    (row) => row.source === "stream" || !streamed.has(`${row.phaseAttemptId}:${row.prompt}`),
  );
  const byAttempt = new Map<string, { phaseKey: string; attempt: number; rows: UsageRow[] }>();
  for (const row of rows) {
    const { phaseKey, attempt } = row.phaseAttempt;
    const entry = byAttempt.get(row.phaseAttemptId) ?? { phaseKey, attempt, rows: [] };
    entry.rows.push(row);
    byAttempt.set(row.phaseAttemptId, entry);
  }
  return {
    total: totalsOf(rows),
    attempts: [...byAttempt.values()].map(({ phaseKey, attempt, rows: attemptRows }) => ({
      phaseKey,
      attempt,
      ...totalsOf(attemptRows),
    })),
  };
}
