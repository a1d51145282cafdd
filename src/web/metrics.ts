// /metrics in Prometheus' text format (prom-client). What lives in Postgres — runs, phase attempts,
// effects, sessions, usage — is read at scrape time, so every web process reports the same truth;
// what only this process sees — its GitHub calls and webhook acknowledgements — is counted here,
// through Node's diagnostics channels (fetch/undici and the HTTP server), without wrapping Octokit.
import { subscribe } from "node:diagnostics_channel";
import type { IncomingMessage, ServerResponse } from "node:http";
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { PrismaClient } from "../db/index.js";
import {
  pendingEffectsByInstallation,
  phaseAttemptCounts,
  phaseDurationSums,
  runCountsByState,
  sandboxFailuresByReason,
  streamedUsageTotals,
} from "../engine/index.js";

export interface MetricsOptions {
  prisma: PrismaClient;
  /** GitHub's REST API origin (api.github.com or the GHE host): calls to it are counted. */
  githubApiOrigin: string;
  /** The run queue's job counts by state (waiting, active, delayed…), when this process has the queue. */
  queueCounts?: () => Promise<Record<string, number>>;
}

export interface Metrics {
  readonly registry: Registry;
  serve(request: IncomingMessage, response: ServerResponse): Promise<void>;
}

const WEBHOOK_PATH = "/api/github/webhooks";

export function createMetrics(options: MetricsOptions): Metrics {
  const { prisma } = options;
  const registry = new Registry();
  const gauge = (name: string, help: string, labelNames: string[], collect: (g: Gauge) => Promise<void>) =>
    new Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      async collect() {
        this.reset();
        await collect(this);
      },
    });

  gauge("devflow_runs", "Runs by state.", ["state"], async (g) => {
    for (const row of await runCountsByState(prisma)) g.set({ state: row.state }, row.count);
  });
  gauge("devflow_phase_attempts", "Phase attempts by phase and state.", ["phase", "state"], async (g) => {
    for (const row of await phaseAttemptCounts(prisma))
      g.set({ phase: row.phase, state: row.state }, row.count);
  });
  gauge(
    "devflow_phase_duration_seconds_sum",
    "Total seconds of finished phase attempts, by phase and state (divide by devflow_phase_attempts).",
    ["phase", "state"],
    async (g) => {
      for (const row of await phaseDurationSums(prisma))
        g.set({ phase: row.phase, state: row.state }, row.seconds);
    },
  );
  gauge("devflow_queue_jobs", "Run-queue jobs by state.", ["state"], async (g) => {
    if (!options.queueCounts) return;
    for (const [state, count] of Object.entries(await options.queueCounts())) g.set({ state }, count);
  });
  gauge(
    "devflow_effects_pending",
    "GitHub effects not yet delivered, per installation.",
    ["installation"],
    async (g) => {
      for (const row of await pendingEffectsByInstallation(prisma))
        g.set({ installation: String(row.installationId ?? "none") }, row.count);
    },
  );
  gauge("devflow_sessions", "Agent sessions per host and state.", ["host", "state"], async (g) => {
    for (const row of await prisma.session.groupBy({ by: ["hostId", "state"], _count: { _all: true } }))
      g.set({ host: row.hostId, state: row.state }, row._count._all);
  });
  gauge(
    "devflow_usage_tokens",
    "Tokens agents consumed, by kind (the CLIs' own counts).",
    ["kind"],
    async (g) => {
      const sum = await streamedUsageTotals(prisma);
      g.set({ kind: "input" }, sum.input);
      g.set({ kind: "output" }, sum.output);
      g.set({ kind: "cache_read" }, sum.cacheRead);
      g.set({ kind: "cache_write" }, sum.cacheWrite);
    },
  );
  new Counter({
    name: "devflow_sandbox_failures_total",
    help: "Agent sessions that could not start or take a prompt because of their sandbox, by reason.",
    labelNames: ["reason"],
    registers: [registry],
    async collect() {
      // Counted from the runs' `sandbox.failed` events, so every web process reports every worker's.
      const rows = await sandboxFailuresByReason(prisma);
      this.reset();
      for (const row of rows) this.inc({ reason: row.reason }, row.count);
    },
  });
  gauge("devflow_usage_cost_usd", "Known cost of agents' usage in US dollars.", [], async (g) => {
    g.set((await streamedUsageTotals(prisma)).costUsd);
  });

  const githubCalls = new Counter({
    name: "devflow_github_requests_total",
    help: "REST calls this process made to GitHub, by method and status.",
    labelNames: ["method", "status"],
    registers: [registry],
  });
  const rateLimit = new Gauge({
    name: "devflow_github_rate_limit_remaining",
    help: "GitHub's x-ratelimit-remaining on the last answer this process got.",
    registers: [registry],
  });
  const webhookAck = new Histogram({
    name: "devflow_webhook_ack_seconds",
    help: "Time from a webhook request's arrival to devflow's answer.",
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const apiOrigin = new URL(options.githubApiOrigin).origin;
  const calls = new WeakMap<object, string>();
  subscribe("undici:request:create", (message) => {
    const { request } = message as { request: { origin?: string; method?: string } };
    if (request.origin === apiOrigin) calls.set(request, request.method ?? "GET");
  });
  subscribe("undici:request:headers", (message) => {
    const { request, response } = message as {
      request: object;
      response: { statusCode: number; headers: Buffer[] };
    };
    const method = calls.get(request);
    if (method === undefined) return;
    githubCalls.inc({ method, status: String(response.statusCode) });
    for (let i = 0; i + 1 < response.headers.length; i += 2) {
      if (response.headers[i]?.toString("latin1").toLowerCase() === "x-ratelimit-remaining")
        rateLimit.set(Number(response.headers[i + 1]?.toString("latin1")));
    }
  });
  const started = new WeakMap<object, bigint>();
  subscribe("http.server.request.start", (message) => {
    const { request } = message as { request: IncomingMessage };
    if (request.url?.startsWith(WEBHOOK_PATH)) started.set(request, process.hrtime.bigint());
  });
  subscribe("http.server.response.finish", (message) => {
    const { request } = message as { request: IncomingMessage };
    const at = started.get(request);
    if (at !== undefined) webhookAck.observe(Number(process.hrtime.bigint() - at) / 1e9);
  });

  return {
    registry,
    async serve(_request, response) {
      const text = await registry.metrics();
      response.writeHead(200, { "content-type": registry.contentType, "cache-control": "no-store" });
      response.end(text);
    },
  };
}
