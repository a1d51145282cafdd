// What each phase attempt of a run did, beyond its state: the agent that ran it, what it consumed (by
// usageOfRun's rules), the shell commands it ran as its CLI's stream told them, and what its checkpoint
// changed. One read for the check run (github/effects) and the dashboard's run page.
import type { PrismaClient } from "../db/index.js";
import type { AgentCommand } from "../sessions/index.js";
import { type AttemptDiffStat, readAttemptDiffStat } from "./attempt-diff-stat.js";
import { type UsageTotals, usageOfRun } from "./record-usage.js";

export interface AttemptActivity {
  readonly phaseKey: string;
  readonly attempt: number;
  /** The operator's agent that was prompted (its session's), when one was. */
  readonly agent: string | undefined;
  readonly usage: UsageTotals | undefined;
  readonly commands: readonly AgentCommand[];
  /** Commands the streams told of but devflow did not keep (past the per-prompt cap). */
  readonly commandsOmitted: number;
  readonly diffStat: AttemptDiffStat | undefined;
}

/** `${phaseKey}:${attempt}` → what that attempt did. */
export type RunActivity = ReadonlyMap<string, AttemptActivity>;

export function activityKey(phaseKey: string, attempt: number): string {
  return `${phaseKey}:${attempt}`;
}

function readCommands(value: unknown): { commands: AgentCommand[]; omitted: number } {
  const list = (value ?? {}) as { commands?: unknown; omitted?: unknown };
  const commands = Array.isArray(list.commands)
    ? list.commands.filter(
        (entry): entry is AgentCommand =>
          typeof entry === "object" && entry !== null && typeof (entry as AgentCommand).command === "string",
      )
    : [];
  return { commands, omitted: typeof list.omitted === "number" ? list.omitted : 0 };
}

export async function runActivity(prisma: PrismaClient, runId: string): Promise<RunActivity> {
  const [attempts, usage, prompts, streams] = await Promise.all([
    prisma.phaseAttempt.findMany({
      where: { runId },
      orderBy: [{ startedAt: "asc" }, { attempt: "asc" }],
      select: { phaseKey: true, attempt: true, diffStat: true },
    }),
    usageOfRun(prisma, runId),
    prisma.promptDelivery.findMany({
      where: { runId },
      orderBy: { sentAt: "asc" },
      select: { phaseKey: true, attempt: true, session: { select: { agent: true } } },
    }),
    prisma.phaseUsage.findMany({
      where: { phaseAttempt: { runId }, source: "stream" },
      orderBy: { prompt: "asc" },
      select: { commands: true, phaseAttempt: { select: { phaseKey: true, attempt: true } } },
    }),
  ]);
  const agents = new Map<string, string>();
  for (const prompt of prompts) {
    if (prompt.session) agents.set(activityKey(prompt.phaseKey, prompt.attempt), prompt.session.agent);
  }
  const usageByAttempt = new Map(
    usage.attempts.map((entry) => [activityKey(entry.phaseKey, entry.attempt), entry]),
  );
  const commands = new Map<string, { commands: AgentCommand[]; omitted: number }>();
  for (const row of streams) {
    const key = activityKey(row.phaseAttempt.phaseKey, row.phaseAttempt.attempt);
    const read = readCommands(row.commands);
    const known = commands.get(key) ?? { commands: [], omitted: 0 };
    commands.set(key, {
      commands: [...known.commands, ...read.commands],
      omitted: known.omitted + read.omitted,
    });
  }
  return new Map(
    attempts.map((attempt) => {
      const key = activityKey(attempt.phaseKey, attempt.attempt);
      const ran = commands.get(key);
      return [
        key,
        {
          phaseKey: attempt.phaseKey,
          attempt: attempt.attempt,
          agent: agents.get(key),
          usage: usageByAttempt.get(key),
          commands: ran?.commands ?? [],
          commandsOmitted: ran?.omitted ?? 0,
          diffStat: readAttemptDiffStat(attempt.diffStat),
        },
      ];
    }),
  );
}
