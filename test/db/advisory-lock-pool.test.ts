import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tryAdvisoryLock } from "../../src/db/advisory-lock.js";
import { AdvisoryLockPool } from "../../src/db/advisory-lock-pool.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

async function lockConnections(applicationName: string): Promise<number> {
  const rows = await db.prisma.$queryRaw<{ count: bigint }[]>`
    SELECT count(*) AS count FROM pg_stat_activity
    WHERE datname = current_database() AND application_name = ${applicationName}`;
  return Number(rows[0]?.count ?? 0);
}

describe("AdvisoryLockPool", () => {
  it("excludes every other holder until released, across pools and plain locks", async () => {
    const pool = new AdvisoryLockPool(db.url, { applicationName: "pool-a" });
    const other = new AdvisoryLockPool(db.url, { applicationName: "pool-b" });
    try {
      const held = await pool.tryLock("devflow:run:one");
      expect(held).toBeDefined();
      expect(await other.tryLock("devflow:run:one")).toBeUndefined();
      expect(await tryAdvisoryLock(db.url, "devflow:run:one")).toBeUndefined();
      // Another name is free.
      const second = await other.tryLock("devflow:run:two");
      expect(second).toBeDefined();
      await held?.release();
      const taken = await other.tryLock("devflow:run:one");
      expect(taken).toBeDefined();
      await taken?.release();
      await second?.release();
    } finally {
      await pool.close();
      await other.close();
    }
  });

  it("reuses a released connection, which then holds no lock", async () => {
    const pool = new AdvisoryLockPool(db.url, { applicationName: "pool-reuse" });
    const outsider = new AdvisoryLockPool(db.url, { applicationName: "pool-outsider" });
    try {
      for (let i = 0; i < 20; i++) {
        const lock = await pool.tryLock(`devflow:run:r${i}`);
        expect(lock).toBeDefined();
        await lock?.release();
        // Released for real: someone else can take it at once.
        const check = await outsider.tryLock(`devflow:run:r${i}`);
        expect(check).toBeDefined();
        await check?.release();
      }
      expect(await lockConnections("pool-reuse")).toBe(1);
    } finally {
      await pool.close();
      await outsider.close();
    }
    expect(await lockConnections("pool-reuse")).toBe(0);
  });

  it("a refused try leaves the connection reusable and opens no more than needed", async () => {
    const pool = new AdvisoryLockPool(db.url, { applicationName: "pool-refused" });
    const holder = await tryAdvisoryLock(db.url, "devflow:run:busy");
    try {
      for (let i = 0; i < 5; i++) expect(await pool.tryLock("devflow:run:busy")).toBeUndefined();
      expect(await lockConnections("pool-refused")).toBe(1);
    } finally {
      await holder?.release();
      await pool.close();
    }
  });

  it("reports a lock lost with its connection, frees the key, and never reuses that connection", async () => {
    const pool = new AdvisoryLockPool(db.url, { applicationName: "pool-lost" });
    try {
      const lock = await pool.tryLock("devflow:run:lost");
      expect(lock?.isLost()).toBe(false);
      await db.prisma.$executeRaw`
        SELECT pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE datname = current_database() AND application_name = 'pool-lost'`;
      await lock?.lost;
      expect(lock?.isLost()).toBe(true);
      await lock?.release();
      // The key is free again, and the pool opens a fresh connection for the next lock.
      const again = await pool.tryLock("devflow:run:lost");
      expect(again?.isLost()).toBe(false);
      await again?.release();
      expect(await lockConnections("pool-lost")).toBe(1);
    } finally {
      await pool.close();
    }
  });
});
