// Several devflow processes on one data directory share its embedded Postgres (`devflow run` waiting at
// a gate, `devflow approve` deciding): the second connects to the running server instead of starting
// another, and Postgres stops only when its last user leaves.
import { type ChildProcess, spawn } from "node:child_process";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isProcessAlive } from "../../src/server/processes.js";

const SCRIPT = fileURLToPath(new URL("./embedded-postgres-process.ts", import.meta.url));
let dataDir: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "devflow-shared-pg-"));
  await chmod(dataDir, 0o755);
});
afterAll(async () => {
  for (const child of children) child.kill("SIGKILL");
  await rm(dataDir, { recursive: true, force: true });
});

interface User {
  child: ChildProcess;
  next(): Promise<Record<string, unknown>>;
}

function startUser(whenInUse: "share" | "refuse"): User {
  const child = spawn(process.execPath, ["--import", "tsx", SCRIPT, dataDir, whenInUse], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  children.push(child);
  if (!child.stdout) throw new Error("no stdout");
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  return {
    child,
    async next() {
      const line = await lines.next();
      if (line.done) throw new Error("the process ended without a line");
      return JSON.parse(line.value) as Record<string, unknown>;
    },
  };
}

async function canQuery(connectionString: string): Promise<boolean> {
  const client = new pg.Client({ connectionString });
  try {
    await client.connect();
    await client.query("SELECT 1");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

async function stop(user: User) {
  user.child.stdin?.write("stop\n");
  expect(await user.next()).toEqual({ stopped: true });
}

describe("an embedded Postgres shared by devflow processes", () => {
  it("is reused by a second process, refused to a server, and stopped by the last to leave", async () => {
    const first = startUser("share");
    const started = await first.next();
    expect(started.shared).toBe(false);

    const second = startUser("share");
    const joined = await second.next();
    expect(joined).toMatchObject({
      shared: true,
      pid: started.pid,
      connectionString: started.connectionString,
    });

    const server = startUser("refuse");
    expect(await server.next()).toEqual({ error: "data_dir_in_use" });

    // The one that joined leaves: the first keeps its database.
    await stop(second);
    expect(isProcessAlive(started.pid as number)).toBe(true);
    expect(await canQuery(started.connectionString as string)).toBe(true);

    // The one that started it leaves while another uses it: Postgres stays for that one.
    const third = startUser("share");
    expect((await third.next()).shared).toBe(true);
    await stop(first);
    expect(isProcessAlive(started.pid as number)).toBe(true);
    expect(await canQuery(started.connectionString as string)).toBe(true);

    // The last one leaves: Postgres stops.
    await stop(third);
    expect(isProcessAlive(started.pid as number)).toBe(false);
  });
});
