// devflow dashboard bench: the runs list with 10,000 runs in Postgres — how long the first page (and a
// filtered page, and a later page) takes to answer, query and render included, beside a floor measured
// in the same run (the same HTTP server answering a fixed page). A program, not a test: it prints figures.
// Usage: DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres npx tsx bench/dashboard/main.ts [--runs 10000] [--requests 50]
import { createServer } from "node:http";
import { parseArgs } from "node:util";
import { DispatchEngine } from "../../src/engine/dispatch-engine.js";
import { silentLog } from "../../src/engine/worker-context.js";
import { prepareQueueBackend } from "../../src/queue/queue-connection.js";
import { RunQueue } from "../../src/queue/run-queue.js";
import { createDashboard } from "../../src/web/dashboard.js";
import { runBenchProgram } from "../engine/abort-cleanup.js";
import { createBenchDatabase } from "../engine/bench-database.js";
import { describeMachine } from "../engine/machine.js";
import { median, ms, percentile, table } from "../engine/stats.js";

const { values } = parseArgs({
  options: { runs: { type: "string", default: "10000" }, requests: { type: "string", default: "50" } },
});
const RUNS = Number(values.runs);
const REQUESTS = Number(values.requests);
const serverUrl = process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

async function main(): Promise<number> {
  console.log(await describeMachine(serverUrl, undefined));
  const db = await createBenchDatabase(serverUrl, "dashboard");
  const queueConnection = { backend: "postgres" as const, connectionString: db.url };
  await prepareQueueBackend(queueConnection);
  const queue = new RunQueue(queueConnection);
  try {
    const prisma = db.client.prisma;
    const seedStart = performance.now();
    // 10,000 runs over 50 repositories, a session and a label trigger for each, spread over 30 days.
    await prisma.$executeRawUnsafe(`
      INSERT INTO "Run" (id, state, "templateHash", repository, "baseBranch", requirements, title, gates, "issueNumber", "installationId", "currentPhaseKey", "createdAt", "updatedAt", "startedAt", "finishedAt")
      SELECT gen_random_uuid(), (ARRAY['queued','executing','awaiting_approval','completed','failed','aborted'])[1 + i % 6]::"RunState",
             (SELECT hash FROM "WorkflowTemplate" LIMIT 1), 'org/repo-' || (i % 50), 'main', 'Bench run ' || i, 'Bench run ' || i,
             ARRAY['spec_approved'], i, 1, 'implement', now() - (i || ' minutes')::interval, now(), now() - (i || ' minutes')::interval,
             CASE WHEN i % 6 >= 3 THEN now() - ((i - 5) || ' minutes')::interval END
      FROM generate_series(1, ${RUNS}) AS i`);
    await prisma.$executeRawUnsafe(`
      INSERT INTO "Session" (id, "runId", "roleId", agent, backend, state, cwd, "hostId", "updatedAt")
      SELECT gen_random_uuid(), id, 'implementer', CASE WHEN "issueNumber" % 3 = 0 THEN 'claude' ELSE 'codex' END, 'exec', 'STOPPED', '/w', 'host-' || ("issueNumber" % 4), now() FROM "Run"`);
    await prisma.$executeRawUnsafe(`
      INSERT INTO "AuditEntry" (actor, action, source, "runId", repository, outcome)
      SELECT 'user-' || ("issueNumber" % 20), 'trigger.label', 'github', id, repository, 'accepted' FROM "Run"`);
    await prisma.$executeRawUnsafe(`ANALYZE`);
    console.log(`seeded ${RUNS} runs in ${ms(performance.now() - seedStart, 0)}`);

    const engine = new DispatchEngine({ prisma, queue, log: silentLog });
    const dashboard = createDashboard({ prisma, engine, log: silentLog });
    const server = createServer((request, response) => {
      if (request.url === "/floor") return void response.writeHead(200).end("<p>floor</p>");
      void dashboard(request, response).then((handled) => handled || response.writeHead(404).end());
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    // The local dashboard sets its session cookie on the first visit: keep it, as a browser would.
    const first = await fetch(`${base}/`);
    const cookie = (first.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    await first.text();
    const lastPage = /href="\/\?after=([0-9a-f-]{36})"/.exec(
      await (await fetch(`${base}/`, { headers: { cookie } })).text(),
    )?.[1];

    const measure = async (path: string) => {
      const times: number[] = [];
      let bytes = 0;
      for (let i = 0; i < REQUESTS + 5; i++) {
        const start = performance.now();
        const response = await fetch(`${base}${path}`, { headers: { cookie } });
        const body = await response.text();
        if (response.status !== 200) throw new Error(`${path} answered ${response.status}`);
        if (i >= 5) times.push(performance.now() - start); // 5 warm-up requests
        bytes = body.length;
      }
      return [path, ms(median(times)), ms(percentile(times, 95)), ms(Math.max(...times)), String(bytes)];
    };
    const rows = [
      await measure("/floor"),
      await measure("/"),
      await measure("/?repository=org%2Frepo-7"),
      await measure("/?state=completed&agent=claude"),
      await measure("/?startedBy=user-3"),
      ...(lastPage ? [await measure(`/?after=${lastPage}`)] : []),
    ];
    console.log(`\nruns list with ${RUNS} runs, ${REQUESTS} requests each (after 5 warm-up), one at a time:`);
    console.log(table(["path", "median", "p95", "max", "bytes"], rows));
    server.closeAllConnections();
    server.close();
    return 0;
  } finally {
    await queue.close();
    await db.drop();
  }
}

runBenchProgram(main, "dropping the bench database");
