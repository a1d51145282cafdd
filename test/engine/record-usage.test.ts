// Usage per phase attempt in the database: stored once per prompt and source, summed per attempt and
// per run, and the database itself refuses negative counts.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordUsage, usageOfRun } from "../../src/engine/record-usage.js";
import { isDevflowError } from "../../src/errors/index.js";
import type { PhaseUsage } from "../../src/sessions/streams/index.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.drop());

const usage = (overrides: Partial<PhaseUsage> = {}): PhaseUsage => ({
  inputTokens: 1000,
  outputTokens: 100,
  cacheReadTokens: 50,
  cacheWriteTokens: 5,
  model: "claude-sonnet-4-5",
  costUsd: 0.0125,
  source: "stream",
  ...overrides,
});

/** A run with attempts spec#1, spec#2 and implement#1. */
async function runWithTwoPhases() {
  const hash = randomUUID();
  await db.prisma.workflowTemplate.create({
    data: { name: `usage-${hash}`, version: 1, hash, source: "test", definition: {} },
  });
  const run = await db.prisma.run.create({
    data: { templateHash: hash, repository: "acme/widgets", baseBranch: "main", requirements: "Add a flag" },
  });
  for (const [phaseKey, attempt] of [
    ["spec", 1],
    ["spec", 2],
    ["implement", 1],
  ] as const) {
    await db.prisma.phaseAttempt.create({ data: { runId: run.id, phaseKey, attempt } });
  }
  return run.id;
}

describe("recordUsage and usageOfRun", () => {
  it("sums per attempt and per run, with exact decimal costs", async () => {
    const runId = await runWithTwoPhases();
    await recordUsage(db.prisma, { runId, phaseKey: "spec", attempt: 1, usage: usage({ costUsd: 0.1 }) });
    await recordUsage(db.prisma, { runId, phaseKey: "spec", attempt: 2, usage: usage({ costUsd: 0.2 }) });
    await recordUsage(db.prisma, {
      runId,
      phaseKey: "spec",
      attempt: 2,
      prompt: 1,
      usage: usage({ inputTokens: 3_000_000_000, model: "claude-haiku-4-5", costUsd: 0.0000000001 }),
    });
    const { total, attempts } = await usageOfRun(db.prisma, runId);
    expect(total).toEqual({
      inputTokens: 3_000_002_000,
      outputTokens: 300,
      cacheReadTokens: 150,
      cacheWriteTokens: 15,
      costUsd: 0.3000000001,
      costComplete: true,
      models: ["claude-haiku-4-5", "claude-sonnet-4-5"],
    });
    expect(attempts.map(({ phaseKey, attempt, inputTokens }) => [phaseKey, attempt, inputTokens])).toEqual([
      ["spec", 1, 1000],
      ["spec", 2, 3_000_001_000],
    ]);
  });

  it("replaces a prompt's record when a replayed job reports it again: nothing counts twice", async () => {
    const runId = await runWithTwoPhases();
    const input = { runId, phaseKey: "implement", attempt: 1 };
    await recordUsage(db.prisma, { ...input, usage: usage() });
    await recordUsage(db.prisma, { ...input, usage: usage({ outputTokens: 7 }) });
    const { total } = await usageOfRun(db.prisma, runId);
    expect(total).toMatchObject({ inputTokens: 1000, outputTokens: 7 });
    expect(await db.prisma.phaseUsage.count({ where: { phaseAttempt: { runId } } })).toBe(1);
  });

  it("counts a prompt by its stream when the agent also wrote a usage file, and says when a cost is missing", async () => {
    const runId = await runWithTwoPhases();
    const input = { runId, phaseKey: "spec", attempt: 1 };
    await recordUsage(db.prisma, {
      ...input,
      usage: usage({ inputTokens: 10, costUsd: null, model: "gpt-5.5" }),
    });
    await recordUsage(db.prisma, { ...input, usage: usage({ inputTokens: 999_999, source: "usage-file" }) });
    await recordUsage(db.prisma, {
      ...input,
      prompt: 1,
      usage: usage({ inputTokens: 20, source: "usage-file" }),
    });
    const { total } = await usageOfRun(db.prisma, runId);
    expect(total).toMatchObject({ inputTokens: 30, costUsd: 0.0125, costComplete: false });
  });

  it("refuses usage for an attempt that does not exist, and counts that are not counts, storing nothing", async () => {
    const runId = await runWithTwoPhases();
    const missing = recordUsage(db.prisma, { runId, phaseKey: "review", attempt: 1, usage: usage() });
    await expect(missing).rejects.toSatisfy(
      (error) =>
        isDevflowError(error) &&
        error.code === "internal_error" &&
        /no attempt 1 of phase review/.test(error.message),
    );
    for (const bad of [
      usage({ inputTokens: -1 }),
      usage({ outputTokens: 1.5 }),
      usage({ costUsd: Number.NaN }),
    ]) {
      await expect(
        recordUsage(db.prisma, { runId, phaseKey: "spec", attempt: 1, usage: bad }),
      ).rejects.toSatisfy((error) => isDevflowError(error) && error.code === "internal_error");
    }
    expect(await db.prisma.phaseUsage.count({ where: { phaseAttempt: { runId } } })).toBe(0);
    expect((await usageOfRun(db.prisma, runId)).total).toMatchObject({
      inputTokens: 0,
      costUsd: null,
      models: [],
    });
  });

  it("has the database refuse a negative count written past recordUsage", async () => {
    const runId = await runWithTwoPhases();
    const attempt = await db.prisma.phaseAttempt.findFirstOrThrow({
      where: { runId, phaseKey: "spec", attempt: 1 },
    });
    const write = db.prisma.phaseUsage.create({
      data: { phaseAttemptId: attempt.id, source: "stream", inputTokens: -5n, outputTokens: 0n },
    });
    await expect(write).rejects.toThrow(/PhaseUsage_counts_non_negative/);
  });
});
