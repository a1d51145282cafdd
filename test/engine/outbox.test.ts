// The outbox (DESIGN §2): an effect of a kind no delivery handles fails loudly — never marked delivered
// and dropped — and what answers a trigger commits in the run's own transaction, or not at all.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InProcessQueue } from "../../src/action/in-process-queue.js";
import { DispatchEngine } from "../../src/engine/dispatch-engine.js";
import { writeEffects } from "../../src/engine/outbox.js";
import { silentLog } from "../../src/engine/worker-context.js";
import type { Octokit } from "../../src/github/effects/deliver-effect.js";
import { deliverNextEffect } from "../../src/github/effects/effects-worker.js";
import { enqueueEffect } from "../../src/github/effects/enqueue-effect.js";
import { createEngineHarness, type EngineHarness } from "../support/engine-harness.js";

let harness: EngineHarness;
beforeAll(async () => {
  harness = await createEngineHarness();
});
afterAll(() => harness.cleanup());

/** An Octokit that answers nothing: an unknown kind must fail before any request is made. */
const noRequests = new Proxy({} as Octokit, {
  get(_target, name) {
    if (name === "then") return undefined; // not a promise: awaiting it must not count as a request
    throw new Error(`no GitHub request was expected (octokit.${String(name)})`);
  },
});

describe("the outbox", () => {
  it("fails an effect of an unknown kind at once, loudly, and never marks it delivered", async () => {
    const repository = `octo/unknown-${Date.now()}`;
    await harness.db.prisma.outboxEffect.create({
      data: { key: `k-${repository}`, kind: "issue.lock", installationId: 7n, payload: { repository } },
    });
    const errors: string[] = [];
    await deliverNextEffect({
      prisma: harness.db.prisma,
      octokitFor: async () => noRequests,
      log: { ...silentLog, error: (_details, message) => errors.push(message) },
      repository,
    });
    const effect = await harness.db.prisma.outboxEffect.findUniqueOrThrow({
      where: { key: `k-${repository}` },
    });
    expect([effect.state, effect.deliveredAt]).toEqual(["failed", null]);
    expect(effect.lastError).toContain('unknown kind "issue.lock"');
    expect(errors).toEqual(["effect of an unknown kind"]);
  });

  it("writes a transition's effects and a handler's reply through one writer, in one shape", async () => {
    const { runId } = await new DispatchEngine({
      prisma: harness.db.prisma,
      queue: new InProcessQueue(),
      log: silentLog,
    }).startRun({
      repository: harness.gitRemote(),
      baseBranch: "main",
      requirements: "x",
      installationId: 9n,
    });
    await writeEffects(harness.db.prisma, { runId }, [
      { key: `${runId}:t`, effect: { kind: "run.status", state: "queued", phaseKey: null } },
    ]);
    await enqueueEffect(
      harness.db.prisma,
      { key: `${runId}:r`, installationId: 9, repository: "octo/x", runId },
      { kind: "comment.reply", issueNumber: 1, body: "hi" },
    );
    const rows = await harness.db.prisma.outboxEffect.findMany({ where: { runId }, orderBy: { key: "asc" } });
    expect(rows.map((row) => [row.kind, row.installationId, row.payload])).toEqual([
      ["comment.reply", 9n, { repository: "octo/x", issueNumber: 1, body: "hi" }],
      ["run.status", 9n, { state: "queued", phaseKey: null }],
    ]);
  });

  it("commits a trigger's reaction and audit row with its run, or none of them", async () => {
    const engine = new DispatchEngine({
      prisma: harness.db.prisma,
      queue: new InProcessQueue(),
      log: silentLog,
    });
    const repository = harness.gitRemote();
    const answer =
      (fail: boolean) =>
      async (
        tx: Parameters<NonNullable<Parameters<typeof engine.startRun>[1]>["alsoRecord"] & {}>[0],
        runId: string,
      ) => {
        await enqueueEffect(
          tx,
          { key: `${runId}:eyes`, installationId: 9, repository: "octo/x", runId },
          { kind: "reaction", target: { type: "issue", number: 1 }, content: "eyes" },
        );
        await tx.auditEntry.create({
          data: { actor: "octocat", action: "trigger.label", source: "github", outcome: "accepted", runId },
        });
        if (fail) throw new Error("the process died here");
      };
    const input = { repository, baseBranch: "main", requirements: "x", installationId: 9n };
    await expect(engine.startRun(input, { alsoRecord: answer(true) })).rejects.toThrow(
      "the process died here",
    );
    expect(await harness.db.prisma.run.count({ where: { repository } })).toBe(0);
    expect(await harness.db.prisma.outboxEffect.count({ where: { run: { repository } } })).toBe(0);
    const { runId } = await engine.startRun(input, { alsoRecord: answer(false) });
    expect(await harness.db.prisma.outboxEffect.count({ where: { runId, kind: "reaction" } })).toBe(1);
    expect(await harness.db.prisma.auditEntry.count({ where: { runId } })).toBe(1);
  });
});
