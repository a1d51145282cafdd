// Scripted failures: the next request(s) matching a method and a path pattern get a 5xx, or a 403/429
// secondary rate limit with `retry-after`, instead of (or, with `afterEffect`, after) being handled.
import { randomUUID } from "node:crypto";
import { type ApiResponse, DOCS_URL } from "./http.js";

export type ScriptedFailure =
  | { status: number; message?: string; afterEffect?: boolean }
  | { status: 403 | 429; retryAfter: number; secondaryRateLimit: true; afterEffect?: boolean };

interface Armed {
  method: string;
  pattern: RegExp;
  failure: ScriptedFailure;
  remaining: number;
}

/**
 * A path pattern is a RegExp, or a string in GitHub's template style: `{name}` matches one segment and
 * `*` anything (`/repos/{owner}/{repo}/issues/{n}/comments`, `/repos/*`). Paths are those of the REST
 * API without the `/api/v3` prefix, or `/{owner}/{repo}.git/...` for git.
 */
export function compilePattern(pattern: string | RegExp): RegExp {
  if (pattern instanceof RegExp) return pattern;
  const escaped = pattern
    .split(/(\{[^}]+\}|\*)/)
    .map((part) => {
      if (part === "*") return ".*";
      if (/^\{[^}]+\}$/.test(part)) return "[^/]+";
      return part.replace(/[.+?^${}()|[\]\\]/g, "\\$&");
    })
    .join("");
  return new RegExp(`^${escaped}$`);
}

export class FailureScript {
  private readonly armed: Armed[] = [];

  failNext(
    method: string,
    pattern: string | RegExp,
    failure: ScriptedFailure,
    options: { times?: number } = {},
  ) {
    this.armed.push({
      method: method.toUpperCase(),
      pattern: compilePattern(pattern),
      failure,
      remaining: options.times ?? 1,
    });
  }

  /** The failure armed for this request, consumed; undefined when none. */
  take(method: string, path: string): ScriptedFailure | undefined {
    const index = this.armed.findIndex(
      (a) => (a.method === "*" || a.method === method.toUpperCase()) && a.pattern.test(path),
    );
    const armed = this.armed[index];
    if (!armed) return undefined;
    armed.remaining -= 1;
    if (armed.remaining <= 0) this.armed.splice(index, 1);
    return armed.failure;
  }

  clear(): void {
    this.armed.length = 0;
    for (const hold of this.holds.splice(0)) hold.release();
  }

  private readonly holds: Held[] = [];

  /**
   * The next request matching `method` and `pattern` is held (not answered) until `release()`: a test
   * can then act while a client waits on GitHub (kill it, say). `reached` resolves when it arrives.
   */
  holdNext(method: string, pattern: string | RegExp): { reached: Promise<void>; release(): void } {
    let arrived: () => void = () => {};
    let release: () => void = () => {};
    const reached = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const hold: Held = {
      method: method.toUpperCase(),
      pattern: compilePattern(pattern),
      arrived,
      released,
      release,
    };
    this.holds.push(hold);
    return { reached, release };
  }

  /** Waits while a hold armed for this request is in force (consuming the hold). */
  async holdIfArmed(method: string, path: string): Promise<void> {
    const index = this.holds.findIndex(
      (h) => (h.method === "*" || h.method === method.toUpperCase()) && h.pattern.test(path),
    );
    const hold = this.holds[index];
    if (!hold) return;
    this.holds.splice(index, 1);
    hold.arrived();
    await hold.released;
  }
}

interface Held {
  method: string;
  pattern: RegExp;
  arrived(): void;
  released: Promise<void>;
  release(): void;
}

/** The response GitHub gives for the failure (secondary rate limits say so in the message, as GitHub's do). */
export function failureResponse(failure: ScriptedFailure): ApiResponse {
  if ("secondaryRateLimit" in failure) {
    const message =
      "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. " +
      `If you reach out to GitHub Support for help, please include the request ID ${randomUUID()}.`;
    return {
      status: failure.status,
      body: {
        message,
        documentation_url:
          "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
        status: String(failure.status),
      },
      headers: { "retry-after": String(failure.retryAfter) },
    };
  }
  const message = failure.message ?? (failure.status >= 500 ? "Server Error" : "Scripted failure");
  return {
    status: failure.status,
    body: { message, documentation_url: DOCS_URL, status: String(failure.status) },
  };
}
