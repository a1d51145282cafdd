// The event of the workflow run goes through devflow's Probot app exactly as a webhook would: the same
// handlers, delivery record, authorization and outbox. Probot is given the workflow token instead of
// App credentials, so every GitHub call (config, permission checks, effects) is made with that token.
import { createHash } from "node:crypto";
import { Probot } from "probot";
import { isDevflowError } from "../errors/index.js";
import type { GitHubDeps } from "../github/index.js";
import { createDevflowApp, deliveryRecord } from "../github/index.js";
import type { Logger } from "../server/index.js";

/**
 * Stands in for X-GitHub-Delivery: the event name and the payload's bytes. A re-run of the job, or a
 * second workflow on the same event, reads the same file and is recognised as the same delivery.
 */
export function deliveryIdOf(eventName: string, payload: Buffer): string {
  const digest = createHash("sha256").update(eventName).update("\n").update(payload).digest("hex");
  return `actions-${digest.slice(0, 40)}`;
}

export function createTokenProbot(token: string, apiUrl: string, logger: Logger): Probot {
  return new Probot({ githubToken: token, baseUrl: apiUrl, log: logger.child({ name: "probot" }) });
}

export interface ReceivedEvent {
  /** What the app recorded for the delivery, or why it did nothing. */
  outcome: string;
  /** The delivery was handled by an earlier job (or a second workflow on the same event). */
  duplicate: boolean;
}

export async function receiveEvent(
  probot: Probot,
  deps: GitHubDeps,
  event: { name: string; id: string; payload: Record<string, unknown> },
): Promise<ReceivedEvent> {
  const seen = await deliveryRecord(deps.prisma, event.id);
  if (seen?.processedAt) return { outcome: `already handled (${seen.outcome ?? "done"})`, duplicate: true };
  // Workflow events carry no App installation: the workflow token stands in for one. Id 0 marks the
  // run and its effects as the action's (GitHub never numbers an installation 0).
  const payload = { ...event.payload, installation: event.payload.installation ?? { id: 0 } };
  await probot.load(createDevflowApp(deps));
  try {
    await probot.receive({ id: event.id, name: event.name, payload } as Parameters<Probot["receive"]>[0]);
  } catch (error) {
    throw firstCause(error);
  }
  const recorded = await deliveryRecord(deps.prisma, event.id);
  if (!recorded) return { outcome: "nothing for devflow to do", duplicate: false };
  if (!recorded.processedAt) return { outcome: "already being handled by another job", duplicate: true };
  return { outcome: recorded.outcome ?? "handled", duplicate: seen !== null };
}

/** @octokit/webhooks wraps handler errors in an AggregateError: the DevflowError inside says more. */
function firstCause(error: unknown): unknown {
  const inner = (error as { errors?: unknown[] }).errors ?? [];
  return inner.find((cause) => isDevflowError(cause)) ?? inner[0] ?? error;
}
