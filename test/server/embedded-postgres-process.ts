// A process that uses a data directory's embedded Postgres (started or shared) until its stdin says
// "stop": stands in for `devflow run` and `devflow approve` in the sharing test.
import { createInterface } from "node:readline";
import { startEmbeddedPostgres } from "../../src/server/embedded-postgres.js";

const [dataDir = "", whenInUse = "share"] = process.argv.slice(2);
const postgres = await startEmbeddedPostgres({ dataDir, whenInUse: whenInUse as "share" | "refuse" }).catch(
  (error: Error & { code?: string }) => {
    console.log(JSON.stringify({ error: error.code ?? error.message }));
    process.exit(2);
  },
);
console.log(
  JSON.stringify({ connectionString: postgres.connectionString, pid: postgres.pid, shared: postgres.shared }),
);
for await (const line of createInterface({ input: process.stdin })) {
  if (line.trim() === "stop") break;
}
await postgres.stop();
console.log(JSON.stringify({ stopped: true }));
process.exit(0);
