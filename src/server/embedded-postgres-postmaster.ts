// The postmaster of an embedded Postgres cluster: started in its own process group, waited for until
// it answers, found through its pid file, and stopped — also one that a devflow process killed with
// SIGKILL left running.
import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, chownSync, closeSync, existsSync, openSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import pg from "pg";
import { DevflowError } from "../errors/index.js";
import type { OsUser } from "./embedded-postgres-account.js";
import type { Binaries } from "./embedded-postgres-cluster.js";
import type { EmbeddedPostgresUsers } from "./embedded-postgres-users.js";
import { isProcessAlive, stopProcess } from "./processes.js";
import { serviceEnvironment } from "./service-environment.js";

/**
 * A postmaster left running by a devflow process that died (SIGKILL) still holds the data directory:
 * stop it. One whose devflow is still alive belongs to another devflow process: refuse.
 */
export async function stopStalePostmaster(
  root: string,
  pgdata: string,
  users: EmbeddedPostgresUsers,
  log: (line: string) => void,
): Promise<void> {
  const ownerPid = users.liveOwner() ?? users.liveClients()[0];
  if (ownerPid !== undefined) {
    throw new DevflowError(
      `Another devflow process (pid ${ownerPid}) is using the data directory ${dirname(root)}.`,
      {
        code: "data_dir_in_use",
        details: { pid: ownerPid },
      },
    );
  }
  const pid = livePostmaster(pgdata)?.pid;
  if (pid === undefined) return; // Postgres clears a dead pid file itself.
  log(`stopping the embedded Postgres (pid ${pid}) left running by an earlier devflow process`);
  if (!(await stopProcess(pid, { signal: "SIGINT", timeoutMs: 15_000 }))) {
    throw new DevflowError(`The embedded Postgres left by an earlier process (pid ${pid}) does not stop.`, {
      code: "embedded_postgres_stale",
      details: { pid },
    });
  }
}

/** The running postmaster of `pgdata` (its pid file: pid on line 1, port on line 4), if any. */
export function livePostmaster(pgdata: string): { pid: number; port: number } | undefined {
  const pidFile = join(pgdata, "postmaster.pid");
  if (!existsSync(pidFile)) return undefined;
  const lines = readFileSync(pidFile, "utf8").split("\n");
  const pid = Number(lines[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !isProcessAlive(pid)) return undefined;
  return { pid, port: Number(lines[3]) };
}

/** Starts the postmaster of `pgdata` on `port`, its output appended to `<root>/postgres.log`. */
export function spawnPostmaster(
  binaries: Binaries,
  root: string,
  pgdata: string,
  port: number,
  owner: OsUser | undefined,
): { child: ChildProcess; logPath: string } {
  const logPath = join(root, "postgres.log");
  const logFd = openSync(logPath, "a", 0o600);
  chmodSync(logPath, 0o600);
  if (owner) chownSync(logPath, owner.uid, owner.gid);
  const child = spawn(
    binaries.postgres,
    [
      "-D",
      pgdata,
      "-p",
      String(port),
      "-c",
      "listen_addresses=127.0.0.1",
      "-c",
      `unix_socket_directories=${root}`,
    ],
    // Its own process group: a Ctrl-C in the terminal reaches devflow, which drains its work and only
    // then stops Postgres (or leaves it running for another devflow process still using it).
    {
      stdio: ["ignore", logFd, logFd],
      detached: true,
      env: serviceEnvironment(),
      ...(owner ?? {}),
    },
  );
  closeSync(logFd);
  return { child, logPath };
}

export async function waitUntilReady(
  connectionString: string,
  child: ChildProcess,
  logPath: string,
): Promise<void> {
  let exited = false;
  child.once("exit", () => {
    exited = true;
  });
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (exited) break;
    const client = new pg.Client({ connectionString, database: "postgres" });
    try {
      await client.connect();
      await client.query("SELECT 1");
      await client.end();
      return;
    } catch {
      await client.end().catch(() => {});
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  const tail = existsSync(logPath)
    ? readFileSync(logPath, "utf8").trim().split("\n").slice(-5).join("\n")
    : "";
  throw new DevflowError(
    `The embedded Postgres did not start${exited ? " (it exited)" : ""}. Its log ends:\n${tail}`,
    {
      code: "embedded_postgres_failed",
      details: { logPath },
    },
  );
}

/**
 * Stops a postmaster this process is the last user of: first a smart shutdown (SIGTERM), which lets the
 * connections still closing finish — pg's pool.end() resolves before its sockets are closed, and a fast
 * shutdown then answers each of them with error 57P01 — then, if some client still holds on, a fast one.
 */
export async function stopPostmaster(pid: number): Promise<void> {
  if (await stopProcess(pid, { signal: "SIGTERM", timeoutMs: SMART_SHUTDOWN_MS })) return;
  await stopProcess(pid, { signal: "SIGINT", timeoutMs: 15_000 });
}

const SMART_SHUTDOWN_MS = 5_000;
