// Bull Board at /admin/queues: the run queue's jobs for operators (waiting, active, delayed, failed),
// with its own UI and API, mounted on devflow's HTTP server through Bull Board's Express adapter (an
// Express app is a plain Node request handler). Who may open it is the dashboard's to decide
// (dashboard.ts: admins only); here it is only served.
import type { IncomingMessage, ServerResponse } from "node:http";
import { createBullBoard } from "@bull-board/api";
import { BullMQAdapter } from "@bull-board/api/bullMQAdapter";
import { ExpressAdapter } from "@bull-board/express";
import type { Queue } from "bullmq";
import type { DevflowQueue } from "../queue/index.js";

export const ADMIN_QUEUES_PATH = "/admin/queues";

/**
 * Bull Board's page links Google Fonts: an operator's browser would tell Google each time it opens
 * devflow's queues (and wait on it, offline). Its own origin only; inline styles are its UI's own.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "frame-ancestors 'none'",
].join("; ");

/** Whether `path` is Bull Board's (its page, assets and API). */
export function isAdminQueuesPath(path: string): boolean {
  return path === ADMIN_QUEUES_PATH || path.startsWith(`${ADMIN_QUEUES_PATH}/`);
}

/**
 * A request is someone's own action in Bull Board's page, not a form another site posted: state-changing
 * requests must come from this origin (browsers send Origin with them; Bull Board's page sends JSON).
 */
export function sameOriginAction(request: IncomingMessage): boolean {
  if (request.method === "GET" || request.method === "HEAD") return true;
  const origin = request.headers.origin;
  if (origin === undefined) return request.headers["sec-fetch-site"] === "same-origin";
  try {
    return new URL(origin).host === request.headers.host;
  } catch {
    return false;
  }
}

export function createAdminQueues<Data>(
  queues: readonly DevflowQueue<Data>[],
): (request: IncomingMessage, response: ServerResponse) => Promise<void> {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(ADMIN_QUEUES_PATH);
  createBullBoard({
    // Bull Board's types name the Redis backend's Queue; it reads a Postgres-backed one through its
    // backend too (9.10: getBackend(), datastore stats), and checks at run time that it is BullMQ's.
    queues: queues.map((queue) => new BullMQAdapter(queue as Queue)),
    serverAdapter,
    options: { uiConfig: { boardTitle: "devflow queues" } },
  });
  // An Express app (typed `any` by the adapter): a Node request handler with a fall-through callback.
  const app: (request: IncomingMessage, response: ServerResponse, next: () => void) => void =
    serverAdapter.getRouter();
  return (request, response) =>
    new Promise((resolve) => {
      response.once("close", () => resolve());
      // As Express's app.use(path, board) would: the board sees paths below its base.
      request.url = (request.url ?? "/").slice(ADMIN_QUEUES_PATH.length) || "/";
      response.setHeader("content-security-policy", CONTENT_SECURITY_POLICY);
      app(request, response, () => {
        if (!response.headersSent) response.writeHead(404, { "content-type": "text/plain; charset=utf-8" });
        response.end("not found");
      });
    });
}
