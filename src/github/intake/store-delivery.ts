// What the webhook endpoint does with a verified delivery before it answers: one insert. A delivery id
// seen before (GitHub's redelivery) is acknowledged and ignored; the same event re-posted under a new
// delivery id (a captured signed body replayed) is refused, logged and audited; anything else is stored
// with its body for the inbox to process.
import type { GitHubDeps } from "../handlers/github-deps.js";
import { audit } from "./audit.js";
import { type DeliveryStore, type RecordedDelivery, recordDelivery } from "./delivery-log.js";
import { orderKeyOf } from "./webhook-inbox.js";

interface ReplayPayload {
  action?: string;
  sender?: { login?: string };
  repository?: { full_name?: string };
}

/** Logs and audits a refused replay (the row itself is recorded by `recordDelivery`). */
export async function refuseReplay(
  deps: Pick<GitHubDeps, "prisma" | "log">,
  delivery: { id: string; name: string; payload: unknown },
  replayOf: string,
): Promise<void> {
  const payload = delivery.payload as ReplayPayload;
  const event = `${delivery.name}.${payload.action ?? ""}`;
  deps.log.warn(
    { deliveryId: delivery.id, event, replayOf },
    "webhook replay refused: this event was already delivered under another X-GitHub-Delivery",
  );
  await audit(deps.prisma, {
    actor: payload.sender?.login ?? "unknown",
    action: "webhook.replayed",
    source: "github",
    outcome: "refused",
    repository: payload.repository?.full_name ?? null,
    details: { deliveryId: delivery.id, replayOf, event },
  });
}

export async function storeDelivery(
  deps: Pick<GitHubDeps, "prisma" | "log">,
  delivery: { id: string; name: string; payload: Record<string, unknown>; body: string },
  /** The endpoint's own inserts: a fresh delivery is then one grouped insert. */
  store?: DeliveryStore,
): Promise<RecordedDelivery["kind"]> {
  const payload = delivery.payload as ReplayPayload & { installation?: { id?: number } };
  const recorded = await recordDelivery(
    deps.prisma,
    {
      deliveryId: delivery.id,
      event: delivery.name,
      action: payload.action,
      installationId: payload.installation?.id,
      repository: payload.repository?.full_name,
      payload: delivery.payload,
      body: delivery.body,
      orderKey: orderKeyOf(delivery.payload),
    },
    store,
  );
  if (recorded.kind === "replay") await refuseReplay(deps, delivery, recorded.originalDeliveryId);
  return recorded.kind;
}
