// Without GitHub sign-in configured (local CLI, embedded mode) the dashboard has no sign-in: it answers
// only requests from this machine, says so on every page, and still requires its CSRF token on actions.
// The attack: a request from another address (this machine's non-loopback one) gets nothing.
import { createServer, type Server } from "node:http";
import { networkInterfaces } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DispatchEngine } from "../../src/engine/dispatch-engine.js";
import { silentLog } from "../../src/engine/worker-context.js";
import { prepareQueueBackend } from "../../src/queue/queue-connection.js";
import { RunQueue } from "../../src/queue/run-queue.js";
import { createAdminQueues } from "../../src/web/admin-queues.js";
import { createDashboard } from "../../src/web/dashboard.js";
import { buildMidFlightRun } from "../builders/runs.js";
import { createEngineHarness, type EngineHarness } from "../support/engine-harness.js";

let harness: EngineHarness;
let server: Server;
let queue: RunQueue;
let port: number;
let runId: string;

/** An address of this machine that is not loopback; the test fails (not skips) when there is none. */
function externalAddress(): string {
  const found = Object.values(networkInterfaces())
    .flat()
    .find((entry) => entry && entry.family === "IPv4" && !entry.internal);
  if (!found)
    throw new Error("this machine has no non-loopback IPv4 address to send the hostile request from");
  return found.address;
}

beforeAll(async () => {
  harness = await createEngineHarness();
  const connection = { backend: "postgres" as const, connectionString: harness.db.url };
  await prepareQueueBackend(connection);
  queue = new RunQueue(connection);
  const engine = new DispatchEngine({ prisma: harness.db.prisma, queue, log: silentLog });
  const dashboard = createDashboard({
    prisma: harness.db.prisma,
    engine,
    log: silentLog,
    adminQueues: createAdminQueues([queue.queue]),
  });
  server = createServer((request, response) => {
    dashboard(request, response).then((handled) => {
      if (!handled) response.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "0.0.0.0", resolve));
  port = (server.address() as { port: number }).port;
  ({ runId } = await buildMidFlightRun(harness.db, { state: "executing", repository: "/home/me/project" }));
});
afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await queue?.close();
  await harness.cleanup();
});

describe("the dashboard without GitHub sign-in", () => {
  it("serves this machine, saying that it has no sign-in and answers on loopback only", async () => {
    const list = await fetch(`http://127.0.0.1:${port}/`);
    expect(list.status).toBe(200);
    const text = await list.text();
    expect(text).toContain("answers only on this machine (loopback)");
    expect(text).toContain(runId);
    // Bull Board too: whoever is on this machine is its operator.
    const board = await fetch(
      `http://127.0.0.1:${port}/admin/queues/api/queues?activeQueue=devflow-runs&status=latest&page=1`,
    );
    expect(board.status).toBe(200);
    expect(((await board.json()) as { queues: { name: string }[] }).queues.map((q) => q.name)).toEqual([
      "devflow-runs",
    ]);
  });

  it("refuses a request from another address, showing no run", async () => {
    for (const path of ["/", `/runs/${runId}`, `/runs/${runId}/transcript`, "/metrics", "/admin/queues"]) {
      const response = await fetch(`http://${externalAddress()}:${port}${path}`);
      expect(response.status).toBe(403);
      expect(await response.text()).not.toContain(runId);
    }
  });

  it("still needs the page's CSRF token to act", async () => {
    const page = await fetch(`http://127.0.0.1:${port}/runs/${runId}`);
    const cookie = (page.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    const csrf = /name="csrf" value="([^"]+)"/.exec(await page.text())?.[1];
    expect(csrf).toBeDefined();
    const post = (token: string) =>
      fetch(`http://127.0.0.1:${port}/runs/${runId}/actions`, {
        method: "POST",
        headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ action: "abort", csrf: token }).toString(),
        redirect: "manual",
      });
    expect((await post("forged")).status).toBe(403);
    expect((await harness.db.prisma.run.findUniqueOrThrow({ where: { id: runId } })).state).toBe("executing");
    expect((await post(csrf ?? "")).status).toBe(303);
    expect((await harness.db.prisma.run.findUniqueOrThrow({ where: { id: runId } })).state).toBe("aborted");
  });
});
