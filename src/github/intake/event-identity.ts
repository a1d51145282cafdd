// What makes a webhook event the same event, whatever X-GitHub-Delivery it came with. A captured signed
// body posted again under a new delivery id is still correctly signed; only its identity shows it is a
// replay. Where GitHub gives the event a stable identity we use it (the comment's or review's id; the
// issue, action, label, sender and the issue's updated time for a label change); for anything else the
// exact payload is the identity.
import { createHash } from "node:crypto";

interface IdentityPayload {
  action?: string;
  repository?: { full_name?: string };
  sender?: { id?: number };
  issue?: { number?: number; updated_at?: string; closed_at?: string | null };
  pull_request?: { number?: number; updated_at?: string; closed_at?: string | null };
  label?: { name?: string };
  comment?: { id?: number; updated_at?: string };
  review?: { id?: number };
}

/** The payload's digest: of the body exactly as GitHub sent it when there is one (no second serialization). */
export function payloadSha256(payload: unknown, body?: string): string {
  return createHash("sha256")
    .update(body ?? JSON.stringify(payload))
    .digest("hex");
}

function semanticIdentity(event: string, p: IdentityPayload): string[] | undefined {
  const repo = p.repository?.full_name ?? "";
  const name = `${event}.${p.action ?? ""}`;
  switch (name) {
    case "issues.labeled":
    case "issues.unlabeled":
      return [
        repo,
        String(p.issue?.number),
        p.label?.name ?? "",
        p.issue?.updated_at ?? "",
        String(p.sender?.id),
      ];
    case "issues.closed":
      return [repo, String(p.issue?.number), p.issue?.closed_at ?? p.issue?.updated_at ?? ""];
    case "pull_request.closed":
      return [
        repo,
        String(p.pull_request?.number),
        p.pull_request?.closed_at ?? p.pull_request?.updated_at ?? "",
      ];
    case "issue_comment.created":
      return p.comment?.id === undefined ? undefined : [repo, String(p.comment.id)];
    case "issue_comment.edited":
      return p.comment?.id === undefined
        ? undefined
        : [repo, String(p.comment.id), p.comment.updated_at ?? ""];
    case "pull_request_review.submitted":
      return p.review?.id === undefined ? undefined : [repo, String(p.review.id)];
    default:
      return undefined;
  }
}

/**
 * A key at most ~80 characters long: the event's name and a digest of what identifies it.
 * `payloadDigest`: the payload's `payloadSha256` when the caller has it already.
 */
export function eventIdentity(event: string, payload: unknown, payloadDigest?: string): string {
  const p = (payload ?? {}) as IdentityPayload;
  const name = `${event}.${p.action ?? ""}`;
  const parts = semanticIdentity(event, p);
  const digest = parts
    ? createHash("sha256").update(JSON.stringify(parts)).digest("hex")
    : (payloadDigest ?? payloadSha256(payload));
  return `${name}:${digest}`;
}
