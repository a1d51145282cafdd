// Webhook deliveries as GitHub's Hookshot makes them: the JSON body signed with the webhook secret
// (X-Hub-Signature-256), GitHub's headers, a 10 s limit, and every attempt recorded for the App's
// hook-deliveries endpoints (`status` "OK" for a 2xx, as GitHub says it, and anything else a failure).
import { createHmac, randomUUID } from "node:crypto";
import { isoNow } from "./http.js";
import type { DeliveryRecord } from "./records.js";
import type { GitHubState } from "./state.js";

export interface DeliverOptions {
  /** Where to POST; defaults to the simulator's `webhookUrl` / `webhooks.target`. */
  target?: string;
  /** X-GitHub-Delivery; a fresh UUID by default (a redelivery keeps the original). */
  deliveryId?: string;
  /** Send these bytes instead of the JSON payload (malformed-body tests). */
  rawBody?: string;
  /** Sign with another secret, or `false` to send no signature headers. */
  signWith?: string | false;
  /** How long the target has to answer (GitHub: 10 s). */
  timeoutMs?: number;
}

export interface DeliveryResult {
  /** The HTTP status the target answered, or 0 when it could not be reached or timed out. */
  status: number;
  body: string;
  guid: string;
  /** The delivery's id in GET /app/hook/deliveries. */
  id: number;
}

export function signPayload(secret: string, body: string): { sha256: string; sha1: string } {
  return {
    sha256: `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`,
    sha1: `sha1=${createHmac("sha1", secret).update(body).digest("hex")}`,
  };
}

export class WebhookSender {
  target: string | undefined;
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(
    private readonly state: GitHubState,
    private readonly secret: string,
    private readonly extraHeaders: Record<string, string>,
    target?: string,
  ) {
    this.target = target;
  }

  /** POSTs `payload` as event `event` and records the delivery; resolves with the target's answer. */
  deliver(event: string, payload: unknown, options: DeliverOptions = {}): Promise<DeliveryResult> {
    const body = options.rawBody ?? JSON.stringify(payload);
    const guid = options.deliveryId ?? randomUUID();
    return this.track(this.send(event, payload, body, guid, false, options));
  }

  /**
   * Sends a recorded delivery again with the same X-GitHub-Delivery — as GitHub does, to the App's
   * webhook URL as configured now (the default target), else to where it first went.
   */
  redeliver(id: number): Promise<DeliveryResult> | undefined {
    const original = this.state.deliveries.find((d) => d.id === id);
    if (!original) return undefined;
    const payload = JSON.parse(original.payload) as unknown;
    const options = { target: this.target ?? original.target, rawBody: original.payload };
    return this.track(this.send(original.event, payload, original.payload, original.guid, true, options));
  }

  /** Waits for every delivery still in flight (redeliveries answer 202 before they are made). */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private track<T>(promise: Promise<T>): Promise<T> {
    this.inFlight.add(promise);
    void promise.finally(() => this.inFlight.delete(promise)).catch(() => {});
    return promise;
  }

  private async send(
    event: string,
    payload: unknown,
    body: string,
    guid: string,
    redelivery: boolean,
    options: DeliverOptions,
  ): Promise<DeliveryResult> {
    const target = options.target ?? this.target;
    if (!target) throw new Error("webhooks.deliver: no target (pass { target } or set webhookUrl)");
    const headers: Record<string, string> = {
      accept: "*/*",
      "content-type": "application/json",
      "user-agent": "GitHub-Hookshot/5c3b1b3",
      "x-github-delivery": guid,
      "x-github-event": event,
      "x-github-hook-id": "1",
      "x-github-hook-installation-target-id": String(this.state.app.id),
      "x-github-hook-installation-target-type": "integration",
      ...this.extraHeaders,
    };
    const secret = options.signWith === undefined ? this.secret : options.signWith;
    if (secret !== false) {
      const signature = signPayload(secret, body);
      headers["x-hub-signature"] = signature.sha1;
      headers["x-hub-signature-256"] = signature.sha256;
    }
    const started = Date.now();
    let statusCode = 0;
    let status: string;
    let responseBody: string | null = null;
    let responseHeaders: Record<string, string> = {};
    try {
      const response = await fetch(target, {
        method: "POST",
        headers,
        body,
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      });
      statusCode = response.status;
      responseHeaders = Object.fromEntries(response.headers);
      responseBody = await response.text();
      status = statusCode >= 200 && statusCode < 300 ? "OK" : `Invalid HTTP Response: ${statusCode}`;
    } catch (error) {
      status = (error as Error).name === "TimeoutError" ? "timed out" : "failed to connect to host";
    }
    const record = this.record(event, payload, guid, redelivery, target, headers, body);
    Object.assign(record, {
      deliveredAt: isoNow(new Date(started)),
      duration: (Date.now() - started) / 1000,
      status,
      statusCode,
      responseHeaders,
      responseBody,
    });
    return { status: statusCode, body: responseBody ?? "", guid, id: record.id };
  }

  private record(
    event: string,
    payload: unknown,
    guid: string,
    redelivery: boolean,
    target: string,
    requestHeaders: Record<string, string>,
    body: string,
  ): DeliveryRecord {
    const p = (payload ?? {}) as {
      action?: unknown;
      installation?: { id?: unknown };
      repository?: { id?: unknown };
    };
    const record: DeliveryRecord = {
      id: this.state.nextId(),
      guid,
      event,
      action: typeof p.action === "string" ? p.action : null,
      installationId: typeof p.installation?.id === "number" ? p.installation.id : null,
      repositoryId: typeof p.repository?.id === "number" ? p.repository.id : null,
      deliveredAt: isoNow(),
      redelivery,
      duration: 0,
      status: "pending",
      statusCode: 0,
      target,
      requestHeaders,
      payload: body,
      responseHeaders: {},
      responseBody: null,
    };
    this.state.deliveries.push(record);
    return record;
  }
}
