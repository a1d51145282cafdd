// The webhook endpoint (DESIGN §1 "verify once"): everything a request can be refused for without its
// body is checked before one byte of it is read — the method, a well-formed X-Hub-Signature-256, the
// event and delivery headers, a declared Content-Length over GitHub's 25 MB — and such a request is
// answered at once and its connection closed, unread. A body is then read up to the cap (reading stops
// there: 413), its HMAC computed while it streams, and compared once. The verified delivery is then
// stored in the webhook inbox (one insert) and GitHub answered at once; processing happens after, from
// the inbox (intake/webhook-inbox.ts). Nothing is recorded for a refused request.
import { createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { emitterEventNames } from "@octokit/webhooks";

export const WEBHOOK_PATH = "/api/github/webhooks";
/** GitHub caps webhook payloads at 25 MB. */
export const MAX_WEBHOOK_BODY_BYTES = 25 * 1024 * 1024;
const SIGNATURE = /^sha256=[0-9a-f]{64}$/;
const KNOWN_EVENTS = new Set(emitterEventNames.map((name) => name.split(".")[0]));

export interface VerifiedEvent {
  id: string;
  name: string;
  payload: Record<string, unknown>;
  /** The body exactly as signed. */
  body: string;
}

export interface WebhookEndpointOptions {
  secret: string;
  /** Stores a verified delivery durably; rejects when it could not (GitHub is told to try again). */
  accept(event: VerifiedEvent): Promise<void>;
  log: { error(details: Record<string, unknown>, message: string): void };
  /** Default 25 MB (GitHub's limit). */
  maxBodyBytes?: number;
}

function answer(response: ServerResponse, status: number, body: string, type = "application/json"): true {
  response.writeHead(status, { "content-type": type });
  response.end(body);
  return true;
}

/** Answers and closes the connection without reading (the rest of) the request's body. */
function refuse(request: IncomingMessage, response: ServerResponse, status: number, error: string): true {
  request.pause();
  response.writeHead(status, { "content-type": "application/json", connection: "close" });
  response.end(JSON.stringify({ error }), () => request.socket.destroy());
  return true;
}

type ReadBody = { body: Buffer; signature: Buffer } | { tooLarge: true } | { aborted: true };

/** Reads at most `limit` bytes, computing the body's HMAC as it arrives. */
function readSigned(request: IncomingMessage, secret: string, limit: number): Promise<ReadBody> {
  return new Promise((resolve, reject) => {
    const hmac = createHmac("sha256", secret);
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        request.off("data", onData);
        request.pause();
        chunks.length = 0;
        resolve({ tooLarge: true });
        return;
      }
      hmac.update(chunk);
      chunks.push(chunk);
    };
    request.on("data", onData);
    request.on("end", () => {
      if (size <= limit) {
        resolve({ body: Buffer.concat(chunks), signature: Buffer.from(`sha256=${hmac.digest("hex")}`) });
      }
    });
    request.on("error", reject);
    // The sender went away before the end (a resolved promise ignores this).
    request.on("close", () => resolve({ aborted: true }));
  });
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** Handles requests to the webhook path; returns false for any other path. */
export function createWebhookEndpoint(options: WebhookEndpointOptions) {
  const limit = options.maxBodyBytes ?? MAX_WEBHOOK_BODY_BYTES;
  const tooLarge = `The payload is larger than GitHub's ${Math.round(limit / 1024 / 1024)} MB limit.`;
  return async (request: IncomingMessage, response: ServerResponse): Promise<boolean> => {
    if ((request.url ?? "").split("?")[0] !== WEBHOOK_PATH) return false;
    if (request.method !== "POST") return refuse(request, response, 405, "Webhooks are POSTed.");
    const signature = header(request, "x-hub-signature-256");
    if (!signature || !SIGNATURE.test(signature)) {
      return refuse(
        request,
        response,
        401,
        "Missing or wrong X-Hub-Signature-256: check that the App's webhook secret matches WEBHOOK_SECRET.",
      );
    }
    const event = header(request, "x-github-event");
    const delivery = header(request, "x-github-delivery");
    if (!event || !delivery) {
      return refuse(request, response, 400, "X-GitHub-Event and X-GitHub-Delivery headers are required.");
    }
    if (!KNOWN_EVENTS.has(event)) return refuse(request, response, 400, `Unknown event "${event}".`);
    if (Number(request.headers["content-length"] ?? 0) > limit)
      return refuse(request, response, 413, tooLarge);

    const read = await readSigned(request, options.secret, limit);
    if ("aborted" in read) {
      response.destroy();
      return true;
    }
    if ("tooLarge" in read) return refuse(request, response, 413, tooLarge);
    const given = Buffer.from(signature);
    if (given.length !== read.signature.length || !timingSafeEqual(given, read.signature)) {
      return answer(
        response,
        401,
        JSON.stringify({
          error:
            "Missing or wrong X-Hub-Signature-256: check that the App's webhook secret matches WEBHOOK_SECRET.",
        }),
      );
    }
    const body = read.body.toString("utf8");
    let payload: unknown;
    try {
      payload = JSON.parse(body);
    } catch {
      return answer(response, 400, JSON.stringify({ error: "The payload is not valid JSON." }));
    }
    if (typeof payload !== "object" || payload === null || Array.isArray(payload)) {
      return answer(response, 400, JSON.stringify({ error: "The payload is not a JSON object." }));
    }
    try {
      await options.accept({ id: delivery, name: event, payload: payload as Record<string, unknown>, body });
    } catch (error) {
      options.log.error(
        { deliveryId: delivery, event, err: (error as Error).message },
        "webhook delivery not stored; GitHub's redelivery (or the sweep) brings it again",
      );
      return answer(response, 500, JSON.stringify({ error: "devflow could not store this delivery." }));
    }
    return answer(response, 200, "ok\n", "text/plain");
  };
}
