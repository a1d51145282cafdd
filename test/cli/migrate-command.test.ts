import { describe, expect, it } from "vitest";
import { createEmptyDatabase } from "../support/database.js";
import { spawnDevflow } from "../support/devflow-process.js";

describe("devflow migrate", () => {
  it("applies the migrations to DATABASE_URL, then reports the database up to date", async () => {
    const db = await createEmptyDatabase();
    try {
      const first = spawnDevflow(["migrate"], { DATABASE_URL: db.url });
      expect(await first.exited).toBe(0);
      expect(first.output()).toMatch(/Applied \d+ migration\(s\) to the DATABASE_URL:\n {2}\d+_init/);

      const second = spawnDevflow(["migrate"], { DATABASE_URL: db.url });
      expect(await second.exited).toBe(0);
      expect(second.output()).toContain("The DATABASE_URL is up to date.");
      expect(second.output()).not.toContain(db.url);
    } finally {
      await db.drop();
    }
  });

  it("names an unknown command and points at --help", async () => {
    const devflow = spawnDevflow(["migrat"], {});
    expect(await devflow.exited).toBe(2);
    expect(devflow.output()).toContain('Unknown command "migrat"');
    expect(devflow.output()).toContain("devflow --help");
  });
});
