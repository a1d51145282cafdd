// Where a devflow acknowledgement's time goes, step by step, outside the server (same machine, same
// database, the bench's real bodies): the signature's HMAC, JSON parsing, the delivery's identity, and
// the one insert that makes it durable — as devflow does it (raw pg, concurrent inserts grouped into one
// statement, synchronous commit), and for comparison prepared one by one, through Prisma, as a bare
// round trip without a commit, and with
// `synchronous_commit = off` (what an fsync costs; devflow does not use it). Each step one at a time
// (p50) and the inserts also `concurrency` at a time (per second: Postgres flushes concurrent commits
// together).
import { createHmac, randomUUID } from "node:crypto";
import pg from "pg";
import type { PrismaClient } from "../../src/db/index.js";
import { createDeliveryInserts } from "../../src/github/intake/delivery-inserts.js";
import { eventIdentity, payloadSha256 } from "../../src/github/intake/event-identity.js";
import { orderKeyOf } from "../../src/github/intake/webhook-inbox.js";
import { forEachLimited, percentile } from "../engine/stats.js";
import type { Delivery } from "./load.js";

export interface StepFigures {
  step: string;
  p50Ms: number;
  /** Per second with `concurrency` in flight (database steps only). */
  perSecond?: number;
}

async function timeEach(count: number, step: () => unknown): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    await step();
    samples.push(performance.now() - started);
  }
  return percentile(samples, 50);
}

async function perSecond(count: number, concurrency: number, step: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await forEachLimited(
    Array.from({ length: count }, (_, i) => i),
    concurrency,
    async () => {
      await step();
    },
  );
  return (count * 1000) / (performance.now() - started);
}

const COLUMNS = `"deliveryId", "event", "action", "installationId", "repository", "payloadSha256", "orderKey",
  "eventKey", "body"`;
const INSERT = `INSERT INTO "WebhookDelivery" (${COLUMNS})
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING`;

export async function ackBreakdown(options: {
  databaseUrl: string;
  prisma: PrismaClient;
  delivery: Delivery;
  secret: string;
  samples: number;
  concurrency: number;
}): Promise<StepFigures[]> {
  const { delivery, samples, concurrency } = options;
  const body = delivery.body;
  const payload = JSON.parse(body) as Record<string, unknown>;
  const row = () => [
    `bench-ack-${randomUUID()}`,
    delivery.event,
    typeof payload.action === "string" ? payload.action : null,
    1,
    "bench/widgets",
    payloadSha256(payload, body),
    orderKeyOf(payload) ?? null,
    `bench-ack:${randomUUID()}`,
    body,
  ];
  const figures: StepFigures[] = [
    {
      step: "HMAC-SHA256 of the body",
      p50Ms: await timeEach(samples, () => createHmac("sha256", options.secret).update(body).digest("hex")),
    },
    { step: "JSON.parse of the body", p50Ms: await timeEach(samples, () => JSON.parse(body)) },
    {
      step: "identity (eventKey, payload sha256, order key)",
      p50Ms: await timeEach(samples, () => [
        eventIdentity(delivery.event, payload),
        payloadSha256(payload, body),
        orderKeyOf(payload),
      ]),
    },
  ];
  const pools: pg.Pool[] = [];
  const pool = (extra: Partial<pg.PoolConfig> = {}) => {
    const created = new pg.Pool({ connectionString: options.databaseUrl, max: concurrency, ...extra });
    pools.push(created);
    return created;
  };
  try {
    const plain = pool();
    const asyncCommit = pool({ options: "-c synchronous_commit=off" });
    const grouped = createDeliveryInserts(pool({ max: 2 }), { columns: COLUMNS });
    const database: [string, () => Promise<unknown>][] = [
      ["round trip, no commit (SELECT 1)", () => plain.query("SELECT 1")],
      ["insert, raw pg (one statement)", () => plain.query(INSERT, row())],
      [
        "insert, raw pg, prepared",
        () => plain.query({ name: "bench-ack-insert", text: INSERT, values: row() }),
      ],
      // devflow's: concurrent inserts share statements (delivery-inserts.ts), so its per-second figure
      // is the one that differs; one at a time it is the prepared insert above.
      ["insert, grouped (devflow)", () => grouped.insert(row())],
      [
        "insert through Prisma (createMany)",
        () => {
          const [deliveryId, event, action, , repository, sha, orderKey, eventKey] = row() as string[];
          return options.prisma.webhookDelivery.createMany({
            data: [
              {
                deliveryId: deliveryId as string,
                event: event as string,
                action: action ?? null,
                installationId: 1n,
                repository: repository ?? null,
                payloadSha256: sha as string,
                orderKey: orderKey ?? null,
                eventKey: eventKey ?? null,
                body,
              },
            ],
            skipDuplicates: true,
          });
        },
      ],
      ["insert, synchronous_commit = off (not used)", () => asyncCommit.query(INSERT, row())],
    ];
    for (const [step, run] of database) {
      await perSecond(20, concurrency, run); // warm the pool's connections
      figures.push({
        step,
        p50Ms: await timeEach(samples, run),
        perSecond: await perSecond(samples, concurrency, run),
      });
    }
    await plain.query(`DELETE FROM "WebhookDelivery" WHERE "deliveryId" LIKE 'bench-ack-%'`);
  } finally {
    for (const created of pools) await created.end();
  }
  return figures;
}
