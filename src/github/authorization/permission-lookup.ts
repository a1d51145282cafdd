// What a failed collaborator-permission lookup means. GitHub's definite answers (the user is unknown, the
// App may not ask) fail closed: nothing is decided and the person is told. A lookup GitHub did not answer
// (a network error, a 5xx, a rate limit) is not an answer: it throws `permission_lookup_failed`, and the
// webhook inbox tries the delivery again after a backoff, so a command is never refused for GitHub's
// hiccup — and never applied without an answer either.
import { DevflowError } from "../../errors/index.js";

interface RequestFailure {
  status?: number;
  message?: string;
  response?: { headers?: Record<string, string | undefined> };
}

/** True when GitHub gave no answer worth keeping: try again later. */
export function isTransientFailure(error: unknown): boolean {
  const failure = (error ?? {}) as RequestFailure;
  const status = failure.status;
  if (status === undefined || status >= 500 || status === 429) return true;
  if (status !== 403) return false;
  const headers = failure.response?.headers ?? {};
  return (
    headers["retry-after"] !== undefined ||
    headers["x-ratelimit-remaining"] === "0" ||
    /rate limit/i.test(failure.message ?? "")
  );
}

/** The lookup's result when GitHub answered with a refusal; throws when it did not answer. */
export function failedLookup(login: string, error: unknown): { failed: true } {
  if (!isTransientFailure(error)) return { failed: true };
  const status = (error as RequestFailure | undefined)?.status;
  throw new DevflowError(
    `GitHub did not answer the permission check for @${login}${status ? ` (HTTP ${status})` : ""}; the delivery is tried again.`,
    { code: "permission_lookup_failed", details: { login, ...(status ? { status } : {}) } },
  );
}
