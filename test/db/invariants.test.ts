// Invariants the engine relies on, enforced by the database itself (not only by code).
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { builtinTemplatesDir, loadRegistry, storeRegistry } from "../../src/registry/index.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";

let db: TestDatabase;
let templateHash: string;

beforeAll(async () => {
  db = await createTestDatabase();
  await storeRegistry(db.prisma, await loadRegistry(builtinTemplatesDir()), { source: "builtin" });
  const template = await db.prisma.workflowTemplate.findFirstOrThrow({
    where: { name: "development" },
    orderBy: { version: "desc" },
  });
  templateHash = template.hash;
});
afterAll(() => db.drop());

function newRun(overrides: { state?: "queued" | "completed" } = {}) {
  return db.prisma.run.create({
    data: {
      templateHash,
      repository: "octo/repo",
      baseBranch: "main",
      requirements: "Add a --verbose flag",
      ...overrides,
    },
  });
}

describe("database invariants", () => {
  it("pins a run to a stored template hash", async () => {
    await expect(
      db.prisma.run.create({
        data: {
          templateHash: "0".repeat(64),
          repository: "octo/repo",
          baseBranch: "main",
          requirements: "x",
        },
      }),
    ).rejects.toThrow(/foreign key|Foreign key/);
  });

  it("keeps a template that a run uses: it can be neither deleted nor re-hashed", async () => {
    await newRun();
    await expect(db.prisma.workflowTemplate.delete({ where: { hash: templateHash } })).rejects.toThrow();
    await expect(
      db.prisma.workflowTemplate.update({ where: { hash: templateHash }, data: { hash: "f".repeat(64) } }),
    ).rejects.toThrow();
  });

  it("allows one event per (run, seq)", async () => {
    const run = await newRun();
    await db.prisma.runEvent.create({ data: { runId: run.id, seq: 1, type: "run.started" } });
    await expect(
      db.prisma.runEvent.create({ data: { runId: run.id, seq: 1, type: "phase.started" } }),
    ).rejects.toMatchObject({
      code: "P2002",
    });
  });

  it("never rewrites a run event", async () => {
    const run = await newRun();
    await db.prisma.runEvent.create({ data: { runId: run.id, seq: 1, type: "run.started" } });
    await expect(
      db.prisma.runEvent.update({
        where: { runId_seq: { runId: run.id, seq: 1 } },
        data: { type: "run.failed" },
      }),
    ).rejects.toThrow(/append-only/);
  });

  it("never moves a terminal run to another state, yet lets its report be recorded", async () => {
    const run = await newRun({ state: "completed" });
    await expect(
      db.prisma.run.update({ where: { id: run.id }, data: { state: "executing" } }),
    ).rejects.toThrow(/terminal/);
    const updated = await db.prisma.run.update({
      where: { id: run.id },
      data: { reportPath: `/data/${run.id}.report.md`, reportWrittenAt: new Date() },
    });
    expect(updated.state).toBe("completed");
    expect(updated.reportPath).toContain(run.id);
  });

  it("records an approval request and a decision once per idempotency key", async () => {
    const run = await newRun();
    const key = `${run.id}:spec_approved::1`;
    const request = await db.prisma.approvalRequest.create({
      data: { runId: run.id, gateKey: "spec_approved", attempt: 1, idempotencyKey: key },
    });
    await expect(
      db.prisma.approvalRequest.create({
        data: { runId: run.id, gateKey: "spec_approved", attempt: 1, idempotencyKey: key },
      }),
    ).rejects.toMatchObject({ code: "P2002" });

    const token = randomUUID();
    const decision = {
      approvalRequestId: request.id,
      action: "approve" as const,
      actor: "octocat",
      source: "comment" as const,
      clientToken: token,
      idempotencyKey: `${request.id}:approve:${token}`,
    };
    await db.prisma.approvalDecision.create({ data: decision });
    await expect(db.prisma.approvalDecision.create({ data: decision })).rejects.toMatchObject({
      code: "P2002",
    });
  });

  it("records a webhook delivery once per X-GitHub-Delivery", async () => {
    const delivery = {
      deliveryId: randomUUID(),
      event: "issues",
      action: "labeled",
      payloadSha256: "a".repeat(64),
    };
    await db.prisma.webhookDelivery.create({ data: delivery });
    await expect(db.prisma.webhookDelivery.create({ data: delivery })).rejects.toMatchObject({
      code: "P2002",
    });
  });

  it("keeps one outbox effect per effect key", async () => {
    const run = await newRun();
    const effect = {
      runId: run.id,
      key: `${run.id}:status-comment:create`,
      kind: "comment.create",
      payload: { body: "hi" },
    };
    await db.prisma.outboxEffect.create({ data: effect });
    await expect(db.prisma.outboxEffect.create({ data: effect })).rejects.toMatchObject({ code: "P2002" });
  });
});
