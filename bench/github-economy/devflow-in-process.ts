// devflow's web side (webhook endpoint, inbox, effects worker: mountGitHubApp, as `devflow start web`
// mounts it) and a worker host (startWorker, fake agent), in this process, against the GitHub simulator,
// with devflow's Probot client pacing its writes at the simulator's pace (Probot's own is 1 s).
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { parseServerConfig } from "../../src/config/server-config.js";
import type { PrismaClient } from "../../src/db/generated/client.js";
import { silentLog } from "../../src/engine/worker-context.js";
import { gitAuthHeaderFor, mountGitHubApp } from "../../src/github/mount-github-app.js";
import { prepareQueueBackend } from "../../src/queue/queue-connection.js";
import type { Registry } from "../../src/registry/index.js";
import { startWorker } from "../../src/server/start-worker.js";
import { FakeSessionAdapter } from "../../src/sessions/fake-adapter.js";
import type { GitHubSimulator } from "../../test/github-sim/index.js";
import { probotAgainst } from "../../test/support/github-app-client.js";

export interface DevflowInProcess {
  stop(): Promise<void>;
}

export async function startDevflowInProcess(options: {
  sim: GitHubSimulator;
  appId: number;
  privateKey: string;
  webhookSecret: string;
  prisma: PrismaClient;
  databaseUrl: string;
  registry: Registry;
  dataDir: string;
  writePaceMs: number;
  maxConcurrentRuns: number;
  settleSeconds: number;
}): Promise<DevflowInProcess> {
  const { sim } = options;
  const probot = probotAgainst({ ...options, writePaceMs: options.writePaceMs });
  const queue = { backend: "postgres" as const, connectionString: options.databaseUrl };
  await prepareQueueBackend(queue);
  const worker = await startWorker({
    prisma: options.prisma,
    connectionString: options.databaseUrl,
    queue,
    hostId: "bench-economy",
    dataDir: join(options.dataDir, "worker"),
    adapter: new FakeSessionAdapter({ writeDelayMs: 0 }),
    registry: options.registry,
    maxConcurrentRuns: options.maxConcurrentRuns,
    gitAuthHeader: (run) => gitAuthHeaderFor(probot, run),
    artifactPollMs: 20,
    reconcileEveryMs: 30_000,
  });
  const deps = {
    prisma: options.prisma,
    engine: worker.engine,
    serverConfig: parseServerConfig(`github: { settleSeconds: ${options.settleSeconds} }\n`, "bench"),
    log: silentLog,
  };
  const app = await mountGitHubApp(probot, options.webhookSecret, deps, { databaseUrl: options.databaseUrl });
  app.startEffects(deps);
  const server = createServer((request, response) => {
    void app.endpoint(request, response).then((handled) => {
      if (!handled) response.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  sim.webhooks.target = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/github/webhooks`;
  return {
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await app.stop();
      await worker.stop();
    },
  };
}
