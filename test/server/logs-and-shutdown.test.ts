// What an operator sees in the terminal: readable log lines (local times) on a terminal and JSON
// elsewhere or on request (LOG_FORMAT), routine queue outcomes kept out of the info log, and a quiet
// Ctrl-C — pg's pool.end() resolves before its sockets close, so a fast Postgres shutdown right after
// answered each closing connection with error 57P01 (~200 lines of raw `pg` errors in 3 of 6 tries).
import { randomUUID } from "node:crypto";
import { chmodSync, mkdtempSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EngineLog } from "../../src/engine/worker-context.js";
import { isDevflowError } from "../../src/errors/index.js";
import { RunQueue } from "../../src/queue/run-queue.js";
import { startEmbeddedPostgres } from "../../src/server/embedded-postgres.js";
import { findFreePort } from "../../src/server/free-port.js";
import { createLogger, logFormatFor } from "../../src/server/logger.js";
import { spawnDevflow, waitForHealthy } from "../support/devflow-process.js";
import { createEngineHarness, type EngineHarness } from "../support/engine-harness.js";

let root: string;
let harness: EngineHarness;
beforeAll(async () => {
  root = realpathSync(mkdtempSync(join(tmpdir(), "devflow-logs-")));
  chmodSync(root, 0o755); // the embedded Postgres runs as an unprivileged user when tests run as root
  harness = await createEngineHarness();
});
afterAll(async () => {
  await harness.cleanup();
  rmSync(root, { recursive: true, force: true });
});

function capture(isTTY: boolean) {
  const stream = Object.assign(new PassThrough(), { isTTY });
  let text = "";
  stream.on("data", (chunk) => {
    text += chunk;
  });
  return { stream, text: () => text };
}

describe("log format", () => {
  it("is readable on a terminal, with the local time, and JSON on a pipe", () => {
    expect(logFormatFor({ isTTY: true } as never, {})).toBe("pretty");
    expect(logFormatFor({ isTTY: false } as never, {})).toBe("json");
    // Local time, not UTC: in a zone half an hour off UTC the minutes tell them apart.
    const zone = process.env.TZ;
    process.env.TZ = "Asia/Kolkata";
    try {
      const clock = () => {
        const now = new Date();
        return `${String(now.getHours()).padStart(2, "0")}:${String(now.getMinutes()).padStart(2, "0")}`;
      };
      const terminal = capture(false);
      const before = clock();
      createLogger("info", terminal.stream, "pretty").info(
        { url: "http://127.0.0.1:3000" },
        "devflow is ready",
      );
      const after = clock();
      const [line, field] = terminal.text().split("\n");
      expect(line).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: devflow is ready$/);
      expect([before, after]).toContain(line?.slice(1, 6));
      expect(field).toBe('    url: "http://127.0.0.1:3000"');
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }
    const pipe = capture(false);
    createLogger("info", pipe.stream).info({ url: "x" }, "devflow is ready");
    expect(JSON.parse(pipe.text())).toMatchObject({ level: 30, msg: "devflow is ready", url: "x" });
  });

  it("follows LOG_FORMAT, and names a wrong value with the fix", () => {
    expect(logFormatFor({ isTTY: true } as never, { LOG_FORMAT: "json" })).toBe("json");
    expect(logFormatFor({ isTTY: false } as never, { LOG_FORMAT: "Pretty" })).toBe("pretty");
    let error: unknown;
    try {
      logFormatFor({ isTTY: true } as never, { LOG_FORMAT: "xml" });
    } catch (caught) {
      error = caught;
    }
    expect(isDevflowError(error, "invalid_environment")).toBe(true);
    expect((error as Error).message).toContain('LOG_FORMAT: expected json or pretty, found "xml"');
  });
});

describe("routine queue outcomes", () => {
  it("are logged at debug, not info", async () => {
    const lines: { level: string; message: string; details: Record<string, unknown> }[] = [];
    const log: Required<EngineLog> = {
      debug: (details, message) => lines.push({ level: "debug", message, details }),
      info: (details, message) => lines.push({ level: "info", message, details }),
      warn: (details, message) => lines.push({ level: "warn", message, details }),
      error: (details, message) => lines.push({ level: "error", message, details }),
    };
    const queue = { backend: "postgres", connectionString: harness.db.url } as const;
    await harness.worker({ queue, log });
    const runs = new RunQueue(queue);
    const runId = randomUUID(); // no such run: the job finds nothing to do
    await runs.enqueue(runId, 1);
    await runs.close();
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && !lines.some((line) => line.details.runId === runId))
      await new Promise((resolve) => setTimeout(resolve, 50));
    expect(lines.filter((line) => line.details.runId === runId)).toEqual([
      { level: "debug", message: "run advanced", details: { runId, outcome: "missing" } },
    ]);
  });
});

describe("shutdown", () => {
  it("stops the embedded Postgres only after a connection that is closing has closed, without 57P01", async () => {
    const postgres = await startEmbeddedPostgres({ dataDir: join(root, "data-stop") });
    const client = new pg.Client({ connectionString: postgres.connectionString });
    const errors: string[] = [];
    client.on("error", (error: Error & { code?: string }) => errors.push(error.code ?? error.message));
    await client.connect();
    await client.query("SELECT 1");
    let stopped = false;
    const stopping = postgres.stop().then(() => {
      stopped = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(stopped).toBe(false); // waiting for the client, not terminating it
    await client.end();
    await stopping;
    expect(errors).toEqual([]);
  });

  it("Ctrl-C on devflow start prints no database errors, on a terminal's JSON or pretty logs", async () => {
    const dataDir = join(root, "data-start");
    for (const format of ["json", "pretty"]) {
      const port = await findFreePort();
      const devflow = spawnDevflow(["start"], {
        PORT: String(port),
        HOST: "127.0.0.1",
        DEVFLOW_DATA_DIR: dataDir,
        LOG_FORMAT: format === "json" ? undefined : "pretty",
      });
      await waitForHealthy(port, devflow);
      await new Promise((resolve) => setTimeout(resolve, 1_500)); // the queue workers poll meanwhile
      devflow.child.kill("SIGINT");
      expect(await devflow.exited).toBe(0);
      const output = devflow.output();
      expect(output).not.toContain("57P01");
      expect(output).not.toContain("terminating connection");
      const lines = output.trim().split("\n");
      if (format === "json") {
        for (const line of lines) expect(() => JSON.parse(line), line).not.toThrow();
      } else {
        expect(lines).toContainEqual(
          expect.stringMatching(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: devflow is ready$/),
        );
        expect(lines.at(-1)).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: devflow stopped$/);
      }
    }
  });
});
