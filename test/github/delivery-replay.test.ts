// `devflow deliveries list --failed` / `devflow deliveries replay`: a delivery whose processing failed on
// every attempt stays in the inbox, listed as failed; replayed once its cause is fixed, the inbox
// processes it exactly once, however many times it is replayed. A bad id replays nothing.
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { runDeliveriesCommand } from "../../src/cli/deliveries-command.js";
import { storeDelivery } from "../../src/github/intake/store-delivery.js";
import { type InboxProcessor, startInboxProcessor } from "../../src/github/intake/webhook-inbox.js";
import { createLogger } from "../../src/server/logger.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";

let db: TestDatabase;
let dataDir: string;
let processor: InboxProcessor | undefined;
const log = createLogger("silent");
/** Comment texts the handler refuses (a bug, until "fixed"), and each delivery's successful runs. */
const broken = new Set<string>();
const handled = new Map<string, number>();

beforeAll(async () => {
  db = await createTestDatabase();
  dataDir = mkdtempSync(join(tmpdir(), "devflow-deliveries-"));
  vi.stubEnv("DATABASE_URL", db.url);
  vi.stubEnv("DEVFLOW_DATA_DIR", dataDir);
  vi.stubEnv("LOG_LEVEL", "silent");
}, 60_000);
afterEach(async () => {
  await processor?.stop();
  processor = undefined;
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await db?.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function store(repo: string, text: string): Promise<string> {
  const id = randomUUID();
  const payload = {
    action: "created",
    repository: { full_name: repo },
    installation: { id: 1 },
    issue: { number: 1 },
    comment: { id: Math.floor(Math.random() * 1e9), body: text },
    sender: { login: "writer", id: 1 },
  };
  const stored = await storeDelivery(
    { prisma: db.prisma, log },
    { id, name: "issue_comment", payload, body: JSON.stringify(payload) },
  );
  expect(stored).toBe("fresh");
  return id;
}

function startProcessor(): InboxProcessor {
  return startInboxProcessor({
    connectionString: db.url,
    log,
    pollMs: 50,
    maxAttempts: 2,
    process: async (delivery) => {
      const text = (delivery.payload.comment as { body: string }).body;
      if (broken.has(text)) throw new Error(`handler bug on ${text}`);
      handled.set(delivery.id, (handled.get(delivery.id) ?? 0) + 1);
      return `handled ${text}`;
    },
  });
}

const row = (deliveryId: string) => db.prisma.webhookDelivery.findUniqueOrThrow({ where: { deliveryId } });

/** Runs `devflow deliveries …` in this process; its stdout lines. */
async function deliveries(...argv: string[]): Promise<string[]> {
  const lines: string[] = [];
  const spy = vi.spyOn(console, "log").mockImplementation((line: string) => lines.push(line));
  try {
    expect(await runDeliveriesCommand(argv)).toBe(0);
  } finally {
    spy.mockRestore();
  }
  return lines;
}

async function failsWith(code: string, ...argv: string[]): Promise<string> {
  const error = await runDeliveriesCommand(argv).then(
    () => undefined,
    (thrown: unknown) => thrown as { code: string; class: string; message: string },
  );
  expect(error).toMatchObject({ code, class: "bad_input" });
  return error?.message ?? "";
}

/** Waits until the processor has stopped and nothing is left to take: every row processed. */
async function settled(ids: string[]): Promise<void> {
  await expect
    .poll(async () => (await Promise.all(ids.map(row))).every((r) => r.processedAt !== null), {
      timeout: 30_000,
    })
    .toBe(true);
}

describe("devflow deliveries", () => {
  it("lists a delivery that failed for good, and a replay after the fix processes it once, however often replayed", async () => {
    const repo = `replay/${randomUUID().slice(0, 8)}`;
    broken.add("/approve");
    const failing = await store(repo, "/approve");
    const fine = await store(repo, "/status");
    processor = startProcessor();
    await settled([failing, fine]);
    await processor.stop();
    processor = undefined;
    expect((await row(failing)).outcome).toBe("failed after 2 attempts");
    expect(handled.get(failing)).toBeUndefined();

    const listed = JSON.parse((await deliveries("list", "--failed", "--json"))[0] ?? "{}") as {
      deliveries: { deliveryId: string; state: string; attempts: number; lastError: string }[];
    };
    expect(listed.deliveries).toEqual([
      expect.objectContaining({
        deliveryId: failing,
        state: "failed",
        attempts: 2,
        lastError: "handler bug on /approve",
      }),
    ]);

    broken.delete("/approve"); // the cause is fixed
    expect((await deliveries("replay", failing))[0]).toContain(`Replayed 1 delivery (${failing})`);
    // Replayed again before the inbox took it: it waits already, and nothing changes.
    const waiting = await failsWith("delivery_not_failed", "replay", failing);
    expect(waiting).toContain("is waiting to be processed");

    processor = startProcessor();
    await settled([failing]);
    expect((await row(failing)).outcome).toBe("handled /approve");
    expect((await row(failing)).body).toBeNull();
    // Replayed after it was handled: refused, and the inbox never takes it again.
    expect(await failsWith("delivery_not_failed", "replay", failing)).toContain(
      "was handled (handled /approve)",
    );
    await new Promise((resolve) => setTimeout(resolve, 300)); // several polls of the processor
    expect(handled.get(failing)).toBe(1);
    expect(handled.get(fine)).toBe(1);
    expect(await deliveries("list", "--failed")).toEqual(["No failed deliveries."]);
    expect(
      await db.prisma.auditEntry.count({
        where: { action: "webhook.replayed_by_operator", repository: repo },
      }),
    ).toBe(1);
  }, 90_000);

  it("replays nothing when one id is unknown or not failed, and all failed ones with --all-failed", async () => {
    const repo = `bad-ids/${randomUUID().slice(0, 8)}`;
    broken.add("first").add("second");
    const first = await store(repo, "first");
    const second = await store(repo, "second");
    processor = startProcessor();
    await settled([first, second]);
    await processor.stop();
    processor = undefined;

    const unknown = randomUUID();
    expect(await failsWith("delivery_not_found", "replay", first, unknown)).toBe(
      `No webhook delivery ${unknown}.`,
    );
    expect((await row(first)).processedAt).not.toBeNull(); // still failed: nothing replayed
    await failsWith("invalid_arguments", "replay");
    await failsWith("invalid_arguments", "replay", first, "--all-failed");
    await failsWith("invalid_arguments", "list", "--limit", "0");
    await failsWith("invalid_arguments", "resend", first);

    broken.clear();
    const replayed = JSON.parse((await deliveries("replay", "--all-failed", "--json"))[0] ?? "{}") as {
      replayed: string[];
    };
    expect(replayed.replayed.sort()).toEqual([first, second].sort());
    processor = startProcessor();
    await settled([first, second]);
    expect([handled.get(first), handled.get(second)]).toEqual([1, 1]);
  }, 90_000);
});
