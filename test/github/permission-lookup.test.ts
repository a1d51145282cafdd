// Which failed permission lookups are GitHub's answer (fail closed, the person is told) and which are no
// answer at all (the delivery is tried again, nobody is refused for GitHub's hiccup).
import { describe, expect, it } from "vitest";
import { failedLookup, isTransientFailure } from "../../src/github/authorization/permission-lookup.js";

const failure = (status?: number, extra: { message?: string; headers?: Record<string, string> } = {}) =>
  Object.assign(new Error(extra.message ?? "failed"), {
    ...(status === undefined ? {} : { status }),
    response: { headers: extra.headers ?? {} },
  });

describe("a failed permission lookup", () => {
  it("is tried again after a network error, a 5xx, a 429 or a 403 rate limit", () => {
    expect(isTransientFailure(failure())).toBe(true);
    expect(isTransientFailure(failure(502))).toBe(true);
    expect(isTransientFailure(failure(429))).toBe(true);
    expect(isTransientFailure(failure(403, { headers: { "retry-after": "30" } }))).toBe(true);
    expect(isTransientFailure(failure(403, { headers: { "x-ratelimit-remaining": "0" } }))).toBe(true);
    expect(isTransientFailure(failure(403, { message: "You have exceeded a secondary rate limit" }))).toBe(
      true,
    );
  });

  it("is GitHub's no for a 404 or a plain 403, and nothing is decided", () => {
    expect(failedLookup("someone", failure(404))).toEqual({ failed: true });
    expect(
      failedLookup("someone", failure(403, { message: "Resource not accessible by integration" })),
    ).toEqual({ failed: true });
  });

  it("throws permission_lookup_failed, naming the person and the status, when GitHub did not answer", () => {
    expect(() => failedLookup("writer", failure(503))).toThrowError(
      expect.objectContaining({
        code: "permission_lookup_failed",
        message: expect.stringContaining("@writer (HTTP 503)"),
      }),
    );
  });
});
