// The webhook endpoint in front of Probot's middleware: it answers what GitHub (or anyone) sends badly
// with a clear 4xx before Probot sees it — a missing or wrong signature is 401 (Probot alone says 400),
// malformed JSON or an unknown event 400 — and nothing is recorded for it. Probot verifies again.
import { createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { emitterEventNames } from "@octokit/webhooks";

export const WEBHOOK_PATH = "/api/github/webhooks";
const MAX_BODY_BYTES = 25 * 1024 * 1024; // GitHub caps payloads at 25 MB
const KNOWN_EVENTS = new Set(emitterEventNames.map((name) => name.split(".")[0]));

type Middleware = (request: IncomingMessage, response: ServerResponse) => unknown;

function answer(response: ServerResponse, status: number, error: string): true {
  response.writeHead(status, { "content-type": "application/json" });
  response.end(JSON.stringify({ error }));
  return true;
}

function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        resolve(undefined);
        request.destroy();
      } else chunks.push(chunk);
    });
    request.on("end", () => resolve(Buffer.concat(chunks)));
    request.on("error", reject);
  });
}

function signatureMatches(secret: string, body: Buffer, header: string | undefined): boolean {
  if (!header?.startsWith("sha256=")) return false;
  const expected = Buffer.from(`sha256=${createHmac("sha256", secret).update(body).digest("hex")}`);
  const given = Buffer.from(header);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Handles requests to the webhook path; returns false for any other path. */
export function createWebhookEndpoint(secret: string, probotMiddleware: Middleware) {
  return async (request: IncomingMessage, response: ServerResponse): Promise<boolean> => {
    if ((request.url ?? "").split("?")[0] !== WEBHOOK_PATH) return false;
    if (request.method !== "POST") return answer(response, 405, "Webhooks are POSTed.");
    const body = await readBody(request);
    if (!body) return answer(response, 413, "The payload is larger than GitHub's 25 MB limit.");
    if (!signatureMatches(secret, body, request.headers["x-hub-signature-256"] as string | undefined)) {
      return answer(
        response,
        401,
        "Missing or wrong X-Hub-Signature-256: check that the App's webhook secret matches WEBHOOK_SECRET.",
      );
    }
    const event = request.headers["x-github-event"];
    const delivery = request.headers["x-github-delivery"];
    if (typeof event !== "string" || typeof delivery !== "string" || delivery === "") {
      return answer(response, 400, "X-GitHub-Event and X-GitHub-Delivery headers are required.");
    }
    if (!KNOWN_EVENTS.has(event)) return answer(response, 400, `Unknown event "${event}".`);
    const text = body.toString("utf8");
    try {
      JSON.parse(text);
    } catch {
      return answer(response, 400, "The payload is not valid JSON.");
    }
    (request as IncomingMessage & { body?: string }).body = text;
    await probotMiddleware(request, response);
    return true;
  };
}
