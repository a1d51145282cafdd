// Sends prepared, signed deliveries to a webhook URL with a fixed number in flight and times each one
// from the request's start to the end of the answer (what GitHub waits for: the acknowledgement).
import { randomUUID } from "node:crypto";
import { Agent, request } from "node:http";
import { signPayload } from "../../test/github-sim/index.js";
import { forEachLimited, percentile } from "../engine/stats.js";

export interface Delivery {
  event: string;
  body: string;
}

export interface LoadFigures {
  deliveries: number;
  wallMs: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Deliveries per second over the batch. */
  throughput: number;
  /** Answers other than 200, by status. */
  failures: Map<number, number>;
}

function post(url: URL, agent: Agent, secret: string, delivery: Delivery): Promise<number> {
  const signature = signPayload(secret, delivery.body);
  return new Promise((resolve, reject) => {
    const outgoing = request(
      url,
      {
        method: "POST",
        agent,
        headers: {
          accept: "*/*",
          "content-type": "application/json",
          "user-agent": "GitHub-Hookshot/bench",
          "x-github-delivery": randomUUID(),
          "x-github-event": delivery.event,
          "x-hub-signature-256": signature.sha256,
          "content-length": Buffer.byteLength(delivery.body),
        },
      },
      (response) => {
        response.resume();
        response.on("end", () => resolve(response.statusCode ?? 0));
        response.on("error", reject);
      },
    );
    outgoing.on("error", reject);
    outgoing.end(delivery.body);
  });
}

export async function sendLoad(
  webhookUrl: string,
  secret: string,
  deliveries: readonly Delivery[],
  concurrency: number,
): Promise<LoadFigures> {
  const url = new URL(webhookUrl);
  // Kept-alive connections, one per lane, for both targets alike.
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies: number[] = [];
  const failures = new Map<number, number>();
  const started = performance.now();
  await forEachLimited(deliveries, concurrency, async (delivery) => {
    const sent = performance.now();
    const status = await post(url, agent, secret, delivery).catch(() => 0);
    latencies.push(performance.now() - sent);
    if (status !== 200) failures.set(status, (failures.get(status) ?? 0) + 1);
  });
  const wallMs = performance.now() - started;
  agent.destroy();
  return {
    deliveries: deliveries.length,
    wallMs,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    maxMs: percentile(latencies, 100),
    throughput: (deliveries.length * 1000) / wallMs,
    failures,
  };
}
