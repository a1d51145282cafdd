// The webhook endpoint's grouped inserts against a real database: deliveries that arrive together share
// statements, yet each gets its own answer — a fresh one is stored once, a delivery id seen before (also
// twice in one statement) is "seen", the same event under a new id is a replay — and a row Postgres
// refuses fails only its own delivery, not the others that shared its statement.
import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDeliveryInserts } from "../../src/github/intake/delivery-inserts.js";
import { openDeliveryStore } from "../../src/github/intake/delivery-log.js";
import { storeDelivery } from "../../src/github/intake/store-delivery.js";
import { createLogger } from "../../src/server/logger.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";

let db: TestDatabase;
const log = createLogger("silent");

beforeAll(async () => {
  db = await createTestDatabase();
}, 60_000);
afterAll(async () => {
  await db?.drop();
});

function comment(repo: string, commentId: number, action = "created") {
  const payload = {
    action,
    repository: { full_name: repo },
    issue: { number: 1 },
    comment: { id: commentId, body: "a comment" },
    sender: { login: "writer", id: 1 },
  };
  return { name: "issue_comment", payload, body: JSON.stringify(payload) };
}

describe("grouped delivery inserts", () => {
  it("answers each of 40 concurrent deliveries as if it were alone: fresh, seen, replay, or its own error", async () => {
    const repo = `group/${randomUUID().slice(0, 8)}`;
    const store = openDeliveryStore(db.url);
    const deps = { prisma: db.prisma, log };
    try {
      const fresh = Array.from({ length: 30 }, (_, i) => ({ id: randomUUID(), ...comment(repo, 1000 + i) }));
      const again = fresh.slice(0, 5).map((delivery) => ({ ...delivery })); // GitHub's redelivery: same id
      const replays = fresh.slice(5, 9).map((delivery) => ({ ...delivery, id: randomUUID() }));
      // Postgres refuses a NUL character in text: this row's statement fails.
      const bad = { id: randomUUID(), ...comment(repo, 2000, "created\u0000") };
      const all = [...fresh, ...again, ...replays, bad];
      const outcomes = await Promise.allSettled(all.map((delivery) => storeDelivery(deps, delivery, store)));
      const kinds = outcomes.map((o) => (o.status === "fulfilled" ? o.value : "error"));
      // A delivery and its redelivery on their way at once (maybe in different statements): one of the
      // two is fresh, whichever committed first, and the other seen.
      for (let i = 0; i < 5; i++) expect([kinds[i], kinds[30 + i]].sort()).toEqual(["fresh", "seen"]);
      // Likewise an event and its replay under another id: one fresh, the other refused as a replay.
      for (let i = 5; i < 9; i++) expect([kinds[i], kinds[30 + i]].sort()).toEqual(["fresh", "replay"]);
      expect(kinds.slice(9, 30)).toEqual(Array(21).fill("fresh"));
      expect(kinds[39]).toBe("error");
      expect(
        await db.prisma.webhookDelivery.count({ where: { repository: repo, body: { not: null } } }),
      ).toBe(30);
      expect(
        await db.prisma.webhookDelivery.count({
          where: { repository: repo, outcome: { startsWith: "ignored: replay of delivery" } },
        }),
      ).toBe(4);
    } finally {
      await store.close();
    }
  });

  it("sends deliveries that arrive while statements are on their way together, and a lone one at once", async () => {
    const repo = `group/${randomUUID().slice(0, 8)}`;
    const pool = new pg.Pool({ connectionString: db.url, max: 2 });
    const statements: number[] = [];
    const counted = Object.assign(Object.create(pool) as pg.Pool, {
      query: (config: { values: unknown[] }) => {
        statements.push(config.values.length / 9);
        return pool.query(config as pg.QueryConfig);
      },
    });
    const inserts = createDeliveryInserts(counted, {
      columns: `"deliveryId", "event", "action", "installationId", "repository", "payloadSha256", "orderKey", "eventKey", "body"`,
    });
    const row = () => {
      const id = randomUUID();
      return [id, "issue_comment", "created", 1, repo, "0".repeat(64), `${repo}#1`, `key:${id}`, "{}"];
    };
    try {
      expect(await inserts.insert(row())).toBe(true);
      expect(statements).toEqual([1]);
      const burst = await Promise.all(Array.from({ length: 50 }, () => inserts.insert(row())));
      expect(burst.every(Boolean)).toBe(true);
      // At most two statements on their way at once: the rest waited and went together, 32 rows at most.
      const forBurst = statements.slice(1);
      expect(forBurst.reduce((a, b) => a + b, 0)).toBe(50);
      expect(forBurst.length).toBeLessThanOrEqual(4);
      expect(Math.max(...forBurst)).toBe(32);
      expect(await db.prisma.webhookDelivery.count({ where: { repository: repo } })).toBe(51);
    } finally {
      await pool.end();
    }
  });
});
