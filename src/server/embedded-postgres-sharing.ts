// Sharing one embedded Postgres between devflow processes on one data directory: a process that finds
// another live devflow process running it connects to that postmaster instead of starting its own, and
// the last one to leave stops it (embedded-postgres-users.ts keeps the count).
import pg from "pg";
import type { EmbeddedPostgres } from "./embedded-postgres.js";
import { livePostmaster, stopPostmaster } from "./embedded-postgres-postmaster.js";
import type { EmbeddedPostgresUsers } from "./embedded-postgres-users.js";

/**
 * Connects to the Postgres another live devflow process runs on this data directory, waiting while that
 * process is still starting it; undefined when nobody uses it (or its user went away meanwhile).
 */
export async function connectToRunning(
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
