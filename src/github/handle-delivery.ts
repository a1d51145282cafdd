// Runs one handler for one delivery, exactly once per X-GitHub-Delivery. Two ways in:
// - from the webhook inbox (servers): the endpoint has already stored the delivery and refused
//   replays; the inbox holds the delivery's row while the handler runs and records its outcome, which
//   the handler leaves in `outcomes`. A failure is thrown back to the inbox, which retries it.
// - inline (the GitHub Action, whose event comes from a file): the delivery is recorded here first, by
//   its id and its event's identity, and its outcome written here; a failure forgets the record, so the
//   job's re-run handles it.
import type { Context } from "probot";
import type { EventContext } from "./event-context.js";
import type { GitHubDeps } from "./handlers/github-deps.js";
import { finishDelivery, forgetDelivery, recordDelivery } from "./intake/delivery-log.js";
import { refuseReplay } from "./intake/store-delivery.js";
import { type EventContextOptions, eventContext, type RepoPayload } from "./probot-event-context.js";

/** Outcomes the handlers report for the inbox to record, by delivery id (taken once read). */
export type DeliveryOutcomes = Map<string, string>;

export type DeliveryHandler = (context: Context, ctx: EventContext) => Promise<string>;

export interface HandleOptions {
  /** Set when deliveries come from the webhook inbox. */
  inbox?: { outcomes: DeliveryOutcomes; configCache?: EventContextOptions["configCache"] };
}

export function handleOnce(deps: GitHubDeps, options: HandleOptions, handler: DeliveryHandler) {
  const inbox = options.inbox;
  if (inbox) {
    return async (context: Context) => {
      const ctx = eventContext(context, { ...(inbox.configCache ? { configCache: inbox.configCache } : {}) });
      const outcome = ctx ? await handler(context, ctx) : "ignored: no repository or installation";
      inbox.outcomes.set(context.id, outcome);
    };
  }
  return async (context: Context) => {
    const ctx = eventContext(context);
    const payload = context.payload as RepoPayload;
    const recorded = await recordDelivery(deps.prisma, {
      deliveryId: context.id,
      event: context.name,
      action: payload.action,
      installationId: payload.installation?.id,
      repository: payload.repository?.full_name,
      payload: context.payload,
    });
    if (recorded.kind === "seen") return; // a redelivery or a duplicate: acknowledged, ignored
    if (recorded.kind === "replay") {
      // A signed body seen before under another delivery id: someone re-posted what GitHub once sent.
      await refuseReplay(
        deps,
        { id: context.id, name: context.name, payload: context.payload },
        recorded.originalDeliveryId,
      );
      return;
    }
    if (!ctx) {
      await finishDelivery(deps.prisma, context.id, "ignored: no repository or installation");
      return;
    }
    let outcome: string;
    try {
      outcome = await handler(context, ctx);
    } catch (error) {
      // Not handled: forget the delivery so that it is processed when it comes again, not ignored.
      await forgetDelivery(deps.prisma, context.id).catch(() => {});
      throw error;
    }
    await finishDelivery(deps.prisma, context.id, outcome);
  };
}
