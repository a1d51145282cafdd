// Deliveries GitHub could not hand us (devflow down, a network fault) are not lost: at start and every
// few minutes, list the App's recent deliveries (App JWT) and ask GitHub to redeliver each failed one
// that devflow never recorded. A delivery failed unless its status is "OK" (GitHub's own wording).
import type { Probot } from "probot";
import type { PrismaClient } from "../db/index.js";
import type { EngineLog } from "../engine/index.js";
import { deliveryRecord } from "./intake/delivery-log.js";

interface HookDelivery {
  id: number;
  guid: string;
  delivered_at: string;
  status: string;
  redelivery: boolean;
}

export interface SweepOptions {
  probot: Probot;
  prisma: PrismaClient;
  log: EngineLog;
  /** How far back to look (GitHub keeps deliveries for 3 days). Default 24 h. */
  lookbackMs?: number;
}

export async function sweepFailedDeliveries(options: SweepOptions): Promise<string[]> {
  const since = Date.now() - (options.lookbackMs ?? 24 * 3_600_000);
  const app = await options.probot.auth();
  const byGuid = new Map<string, HookDelivery[]>();
  for await (const page of app.paginate.iterator("GET /app/hook/deliveries", { per_page: 100 })) {
    const deliveries = page.data as unknown as HookDelivery[];
    for (const delivery of deliveries)
      byGuid.set(delivery.guid, [...(byGuid.get(delivery.guid) ?? []), delivery]);
    // Newest first: stop paging once a page reaches past the lookback.
    if (deliveries.some((delivery) => Date.parse(delivery.delivered_at) < since)) break;
  }
  const redelivered: string[] = [];
  for (const [guid, attempts] of byGuid) {
    if (attempts.some((attempt) => attempt.status === "OK")) continue;
    const latest = attempts[0];
    if (!latest || Date.parse(latest.delivered_at) < since) continue;
    if (await deliveryRecord(options.prisma, guid)) continue;
    await app.request("POST /app/hook/deliveries/{delivery_id}/attempts", { delivery_id: latest.id });
    redelivered.push(guid);
  }
  if (redelivered.length > 0)
    options.log.info({ redelivered }, "asked GitHub to redeliver failed deliveries");
  return redelivered;
}

export function startRedeliverySweep(options: SweepOptions & { everyMs?: number }): { stop(): void } {
  const run = () =>
    sweepFailedDeliveries(options).catch((error) =>
      options.log.warn({ err: (error as Error).message }, "redelivery sweep failed; will try again"),
    );
  void run();
  const timer = setInterval(run, options.everyMs ?? 10 * 60_000);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
