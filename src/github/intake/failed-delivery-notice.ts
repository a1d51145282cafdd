// A delivery that failed for good (out of attempts, webhook-inbox.ts) did nothing its sender can see: a
// command went unanswered, a trigger label started no run. Whoever sent a command, a review, a button
// press or a label is told so on its issue or pull request, once (the effect's key is the delivery's), so
// that they do not wait for nothing. The error itself is not repeated there — it may name internals — it
// stays in the delivery log, where the operator finds it and replays the delivery.
import type { PrismaClient } from "../../db/index.js";
import { parseCommands } from "../commands/parse-commands.js";
import { enqueueEffect } from "../effects/enqueue-effect.js";

interface NoticePayload {
  action?: string;
  installation?: { id?: number };
  repository?: { full_name?: string };
  sender?: { login?: string };
  issue?: { number?: number };
  pull_request?: { number?: number };
  comment?: { body?: string | null };
  review?: { body?: string | null };
  label?: { name?: string };
  check_run?: { pull_requests?: { number?: number }[] };
}

/** What the sender did, in words, and where to answer; undefined for a delivery nobody waits on. */
function whatWasAsked(event: string, p: NoticePayload): { what: string; number?: number } | undefined {
  const who = p.sender?.login ? `@${p.sender.login}'s` : "a";
  switch (`${event}.${p.action ?? ""}`) {
    case "issue_comment.created":
      if (parseCommands(p.comment?.body).length === 0) return undefined;
      return { what: `${who} command comment`, number: p.issue?.number };
    case "pull_request_review.submitted":
      if (parseCommands(p.review?.body).length === 0) return undefined;
      return { what: `${who} review`, number: p.pull_request?.number };
    case "check_run.requested_action":
      return { what: `${who} button press`, number: p.check_run?.pull_requests?.[0]?.number };
    case "issues.labeled":
      return {
        what: `the label \`${p.label?.name ?? "?"}\`${p.sender?.login ? ` added by @${p.sender.login}` : ""}`,
        number: p.issue?.number,
      };
    default:
      return undefined;
  }
}

export async function noticeFailedDelivery(
  prisma: PrismaClient,
  delivery: { id: string; name: string; payload: Record<string, unknown> },
  attempts: number,
): Promise<boolean> {
  const p = delivery.payload as NoticePayload;
  const asked = whatWasAsked(delivery.name, p);
  const repository = p.repository?.full_name;
  const installationId = p.installation?.id;
  if (!asked || asked.number === undefined || !repository || installationId === undefined) return false;
  const body = [
    `devflow could not act on ${asked.what}: processing it failed ${attempts} times and devflow has stopped trying, so nothing it asked for has happened.`,
    `An operator can see why with \`devflow deliveries list --failed\` (delivery \`${delivery.id}\`) and run it again with \`devflow deliveries replay ${delivery.id}\` once the cause is fixed.`,
  ].join(" ");
  await enqueueEffect(
    prisma,
    { key: `${delivery.id}:failed`, installationId, repository },
    { kind: "comment.reply", issueNumber: asked.number, body },
  );
  return true;
}
