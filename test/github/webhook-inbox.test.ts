// The webhook inbox's processor against a real database: deliveries about one issue are processed one
// at a time in arrival order — also while the first is retried after a failure — while another issue's
// go on beside them; a failure is retried with backoff and recorded; a delivery that keeps failing is
// marked failed so it stops holding back the ones after it; while the webhook endpoint is busy answering
// a burst, nothing new is claimed.
import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { openDeliveryStore } from "../../src/github/intake/delivery-log.js";
import { replayDeliveries } from "../../src/github/intake/failed-deliveries.js";
import { noticeFailedDelivery } from "../../src/github/intake/failed-delivery-notice.js";
import { storeDelivery } from "../../src/github/intake/store-delivery.js";
import { type InboxProcessor, startInboxProcessor } from "../../src/github/intake/webhook-inbox.js";
import { createLogger } from "../../src/server/logger.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";

let db: TestDatabase;
let processor: InboxProcessor | undefined;
const log = createLogger("silent");

beforeAll(async () => {
  db = await createTestDatabase();
}, 60_000);
afterEach(async () => {
  await processor?.stop();
  processor = undefined;
});
afterAll(async () => {
  await db?.drop();
});

/** A comment delivery on `repo#issue` with text `body`, stored as the endpoint stores it. */
async function store(repo: string, issue: number, body: string): Promise<string> {
  const id = randomUUID();
  const payload = {
    action: "created",
    repository: { full_name: repo },
    installation: { id: 1 },
    issue: { number: issue },
    comment: { id: Math.floor(Math.random() * 1e9), body },
    sender: { login: "writer", id: 1 },
  };
  expect(
    await storeDelivery(
      { prisma: db.prisma, log },
      { id, name: "issue_comment", payload, body: JSON.stringify(payload) },
    ),
  ).toBe("fresh");
  return id;
}

/** A processing step the test lets finish (or fail) when it chooses. */
function gates() {
  const started: string[] = [];
  const open = new Map<string, { resolve: () => void; reject: (error: Error) => void }>();
  const process = async (delivery: { payload: Record<string, unknown> }) => {
    const text = (delivery.payload.comment as { body: string }).body;
    started.push(text);
    await new Promise<void>((resolve, reject) => open.set(text, { resolve, reject }));
    return `done: ${text}`;
  };
  const until = async (text: string) => {
    await expect.poll(() => open.has(text), { timeout: 30_000 }).toBe(true);
    const gate = open.get(text);
    open.delete(text);
    return gate as { resolve: () => void; reject: (error: Error) => void };
  };
  return { started, process, until };
}

describe("the webhook inbox processor", () => {
  it("processes one issue's deliveries in order, one at a time, also across a retry; other issues beside", async () => {
    const repo = `order/${randomUUID().slice(0, 8)}`;
    const a1 = await store(repo, 1, "a1");
    const a2 = await store(repo, 1, "a2");
    await store(repo, 2, "b1");
    const g = gates();
    processor = startInboxProcessor({
      connectionString: db.url,
      log,
      process: g.process,
      concurrency: 4,
      pollMs: 50,
    });
    const firstA1 = await g.until("a1");
    const b1 = await g.until("b1"); // another issue is not held back by a1
    b1.resolve();
    // Several polls later a2 has still not started: a1 is not processed yet.
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(g.started).not.toContain("a2");

    firstA1.reject(new Error("GitHub said 502"));
    await expect
      .poll(() =>
        db.prisma.webhookDelivery.findUnique({ where: { deliveryId: a1 } }).then((r) => r?.attempts),
      )
      .toBe(1);
    const failed = await db.prisma.webhookDelivery.findUniqueOrThrow({ where: { deliveryId: a1 } });
    expect(failed.processedAt).toBeNull();
    expect(failed.lastError).toBe("GitHub said 502");
    expect(failed.notBefore.getTime()).toBeGreaterThan(Date.now()); // backoff before the next attempt
    expect(g.started).not.toContain("a2"); // still held back by a1, which will be retried

    (await g.until("a1")).resolve(); // the retry
    (await g.until("a2")).resolve();
    expect(g.started).toEqual(["a1", "b1", "a1", "a2"]);
    await expect
      .poll(() => db.prisma.webhookDelivery.findUnique({ where: { deliveryId: a2 } }).then((r) => r?.outcome))
      .toBe("done: a2");
    const done = await db.prisma.webhookDelivery.findUniqueOrThrow({ where: { deliveryId: a1 } });
    expect(done.outcome).toBe("done: a1");
    expect(done.body).toBeNull(); // the inbox forgets a processed body
  }, 60_000);

  it("claims nothing while the webhook endpoint holds processing back, and all of it once it lets go", async () => {
    const repo = `hold/${randomUUID().slice(0, 8)}`;
    const ids = [await store(repo, 1, "h1"), await store(repo, 2, "h2")];
    let holding = true;
    const asked: number[] = [];
    processor = startInboxProcessor({
      connectionString: db.url,
      log,
      pollMs: 50,
      acknowledgements: {
        waitBeforeStarting: () => {
          asked.push(Date.now());
          return holding ? 20 : 0;
        },
      },
      process: async () => "handled",
    });
    processor.wake();
    await expect.poll(() => asked.length).toBeGreaterThan(10); // the processor is looking, and waiting
    const unprocessed = { deliveryId: { in: ids }, processedAt: null };
    expect(await db.prisma.webhookDelivery.count({ where: unprocessed })).toBe(2);
    holding = false;
    await expect.poll(() => db.prisma.webhookDelivery.count({ where: unprocessed })).toBe(0);
  }, 30_000);

  it("marks a delivery that keeps failing as failed, and goes on with the next of its issue", async () => {
    const repo = `fail/${randomUUID().slice(0, 8)}`;
    const bad = await store(repo, 1, "bad");
    const next = await store(repo, 1, "next");
    processor = startInboxProcessor({
      connectionString: db.url,
      log,
      pollMs: 50,
      maxAttempts: 1,
      process: async (delivery) => {
        if ((delivery.payload.comment as { body: string }).body === "bad") throw new Error("broken handler");
        return "handled";
      },
    });
    await expect
      .poll(
        () => db.prisma.webhookDelivery.findUnique({ where: { deliveryId: next } }).then((r) => r?.outcome),
        {
          timeout: 30_000,
        },
      )
      .toBe("handled");
    const row = await db.prisma.webhookDelivery.findUniqueOrThrow({ where: { deliveryId: bad } });
    expect(row.outcome).toBe("failed after 1 attempts");
    expect(row.lastError).toBe("broken handler");
  }, 60_000);

  it("tells the sender of a command that failed for good, once, without the error; nobody else", async () => {
    const repo = `notice/${randomUUID().slice(0, 8)}`;
    const command = await store(repo, 7, "/approve");
    const chatter = await store(repo, 8, "nice work");
    const notices = () =>
      db.prisma.outboxEffect.findMany({
        where: { kind: "comment.reply", payload: { path: ["repository"], equals: repo } },
      });
    processor = startInboxProcessor({
      connectionString: db.url,
      log,
      pollMs: 50,
      maxAttempts: 2,
      failedForGood: async (delivery, attempts) => {
        await noticeFailedDelivery(db.prisma, delivery, attempts);
      },
      process: async () => {
        throw new Error("permission lookup failed: postgres://devflow:hunter2@db/devflow");
      },
    });
    const attemptsOf = (id: string) =>
      db.prisma.webhookDelivery.findUnique({ where: { deliveryId: id } }).then((r) => r?.attempts);
    await expect.poll(() => attemptsOf(command)).toBe(1);
    expect(await notices()).toEqual([]); // a failure that will be retried tells nobody yet
    await expect.poll(() => attemptsOf(command), { timeout: 20_000 }).toBe(2);
    await expect.poll(() => attemptsOf(chatter), { timeout: 20_000 }).toBe(2);
    await expect.poll(async () => (await notices()).length).toBe(1);
    const [notice] = await notices();
    const payload = notice?.payload as { issueNumber: number; body: string };
    expect(payload.issueNumber).toBe(7); // the command's issue; the plain comment on #8 gets nothing
    expect(payload.body).toContain("@writer's command comment");
    expect(payload.body).toContain(`devflow deliveries replay ${command}`);
    expect(payload.body).not.toMatch(/hunter2|postgres:|permission lookup/);

    // Replayed by an operator and failing for good again: still the one notice.
    expect(await replayDeliveries(db.prisma, [command], "operator")).toEqual([command]);
    await expect.poll(() => attemptsOf(command), { timeout: 20_000 }).toBe(2);
    await expect
      .poll(() =>
        db.prisma.webhookDelivery.findUnique({ where: { deliveryId: command } }).then((r) => r?.processedAt),
      )
      .not.toBeNull();
    expect(await notices()).toHaveLength(1);
  }, 60_000);

  it("tells a label's, a review's and a button's sender; not a review without a command", async () => {
    const repository = { full_name: `notice/${randomUUID().slice(0, 8)}` };
    const base = { installation: { id: 1 }, repository, sender: { login: "writer" } };
    const told = (name: string, payload: Record<string, unknown>) =>
      noticeFailedDelivery(db.prisma, { id: randomUUID(), name, payload: { ...base, ...payload } }, 6);
    expect(
      await told("issues", { action: "labeled", issue: { number: 1 }, label: { name: "devflow" } }),
    ).toBe(true);
    expect(
      await told("pull_request_review", {
        action: "submitted",
        pull_request: { number: 2 },
        review: { body: "/reject too big" },
      }),
    ).toBe(true);
    expect(
      await told("pull_request_review", {
        action: "submitted",
        pull_request: { number: 3 },
        review: { body: "LGTM" },
      }),
    ).toBe(false);
    expect(
      await told("check_run", { action: "requested_action", check_run: { pull_requests: [{ number: 4 }] } }),
    ).toBe(true);
    expect(await told("push", { ref: "refs/heads/main" })).toBe(false);
    const bodies = await db.prisma.outboxEffect.findMany({
      where: { kind: "comment.reply", payload: { path: ["repository"], equals: repository.full_name } },
    });
    const notices = bodies
      .map((row) => row.payload as { issueNumber: number; body: string })
      .sort((a, b) => a.issueNumber - b.issueNumber);
    expect(notices.map((notice) => notice.issueNumber)).toEqual([1, 2, 4]);
    expect(notices[0]?.body).toContain("the label `devflow` added by @writer");
  }, 30_000);

  it.each([
    ["Prisma", false],
    ["the endpoint's own grouped inserts", true],
  ])("stores a delivery id once and refuses the same event under a new id (%s)", async (_, fast) => {
    const store = fast ? openDeliveryStore(db.url) : undefined;
    const repo = `store/${randomUUID().slice(0, 8)}`;
    const payload = {
      action: "created",
      repository: { full_name: repo },
      issue: { number: 1 },
      comment: { id: fast ? 4243 : 4242, body: "/approve" },
      sender: { login: "writer", id: 1 },
    };
    const body = JSON.stringify(payload);
    const id = randomUUID();
    const deps = { prisma: db.prisma, log };
    expect(await storeDelivery(deps, { id, name: "issue_comment", payload, body }, store)).toBe("fresh");
    expect(await storeDelivery(deps, { id, name: "issue_comment", payload, body }, store)).toBe("seen");
    const replay = randomUUID();
    expect(await storeDelivery(deps, { id: replay, name: "issue_comment", payload, body }, store)).toBe(
      "replay",
    );
    await store?.close();
    const refused = await db.prisma.webhookDelivery.findUniqueOrThrow({ where: { deliveryId: replay } });
    expect(refused.body).toBeNull(); // never processed
    expect(refused.processedAt).not.toBeNull();
    expect(
      await db.prisma.auditEntry.count({
        where: { action: "webhook.replayed", repository: repo, outcome: "refused" },
      }),
    ).toBe(1);
  });
});
