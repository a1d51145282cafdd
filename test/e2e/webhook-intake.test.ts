// Issue 11, point 6, at the web process's webhook endpoint: a request without a signature, or one that
// declares more than GitHub's 25 MB, is answered before its body is sent (the test writes no byte of
// it until the answer is in); a streamed body is read up to the cap and no further; a signed body over
// the cap is refused too. Nothing is recorded for any of them.
import { createHmac, randomUUID } from "node:crypto";
import { type ClientRequest, type IncomingMessage, request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEngineHarness, type EngineHarness } from "../support/engine-harness.js";
import { type GitHubE2E, startGitHubE2E, WEBHOOK_SECRET } from "../support/github-e2e.js";

const CAP = 25 * 1024 * 1024;
let harness: EngineHarness;
let e2e: GitHubE2E;

beforeAll(async () => {
  harness = await createEngineHarness();
  e2e = await startGitHubE2E({ databaseUrl: harness.db.url, dataDir: harness.tempDir("e2e") });
}, 120_000);
afterAll(async () => {
  await e2e?.stop();
  await harness.cleanup();
});

function webhookHeaders(extra: Record<string, string>): Record<string, string> {
  return {
    "content-type": "application/json",
    "x-github-event": "issues",
    "x-github-delivery": randomUUID(),
    ...extra,
  };
}

/** Opens a POST and sends only its headers; the body is written by the caller, if at all. */
function openPost(headers: Record<string, string>): {
  req: ClientRequest;
  response: Promise<IncomingMessage>;
} {
  const url = new URL(e2e.webhookUrl);
  const req = request({ host: url.hostname, port: url.port, path: url.pathname, method: "POST", headers });
  // The server closes the connection after answering: a write still under way may then fail.
  req.on("error", () => {});
  const response = new Promise<IncomingMessage>((resolve) => req.once("response", resolve));
  req.flushHeaders();
  return { req, response };
}

/** The answer's body, as far as it came before the server closed the connection. */
function bodyOf(response: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let text = "";
    response.on("data", (chunk) => {
      text += chunk;
    });
    for (const done of ["end", "close", "error"]) response.once(done, () => resolve(text));
  });
}

/** The answer to headers alone: no byte of the body is ever sent. */
async function answerToHeaders(headers: Record<string, string>) {
  const post = openPost(headers);
  const closed = new Promise<never>((_, reject) =>
    post.req.once("close", () => reject(new Error("the connection closed without an answer"))),
  );
  const response = await Promise.race([post.response, closed]);
  const body = await bodyOf(response);
  post.req.destroy();
  return { status: response.statusCode, body };
}

/**
 * Writes filler 1 MB at a time, waiting for the socket, until the server answers or `total` bytes are
 * sent. `sent` says how much was handed to the socket before the answer came: a server that reads the
 * whole body before answering makes it `total`.
 */
async function sendUntilAnswered(headers: Record<string, string>, total: number) {
  const post = openPost(headers);
  const filler = Buffer.alloc(1024 * 1024, 0x20);
  let answered = false;
  void post.response.then(() => {
    answered = true;
  });
  let sent = 0;
  while (!answered && !post.req.destroyed && sent < total) {
    const size = Math.min(filler.length, total - sent);
    sent += size;
    if (!post.req.write(filler.subarray(0, size))) {
      await Promise.race([
        new Promise((resolve) => post.req.once("drain", resolve)),
        new Promise((resolve) => post.req.once("close", resolve)),
        post.response,
      ]);
    }
  }
  if (!answered && !post.req.destroyed) post.req.end();
  const response = await post.response;
  post.req.destroy();
  return { status: response.statusCode, sent };
}

const ANY_SIGNATURE = `sha256=${"0".repeat(64)}`;

describe("the webhook endpoint reads no body it will refuse", () => {
  // Requests answered on their headers: the test never sends a byte of the body, so a server that read
  // the body before answering would have nothing to answer on (until its 60 s request timeout: 408).
  it("answers 401 to 24 unsigned requests declaring 24 MB each, on their headers alone", async () => {
    const before = await harness.db.prisma.webhookDelivery.count();
    const answers = await Promise.all(
      Array.from({ length: 24 }, () =>
        answerToHeaders(webhookHeaders({ "content-length": String(24 * 1024 * 1024) })),
      ),
    );
    expect(answers.map((answer) => answer.status)).toEqual(Array(24).fill(401));
    expect(answers[0]?.body).toContain("X-Hub-Signature-256");
    expect(await harness.db.prisma.webhookDelivery.count()).toBe(before);
  }, 90_000);

  it("answers 413 to a request declaring more than 25 MB, on its headers alone", async () => {
    const answer = await answerToHeaders(
      webhookHeaders({ "content-length": String(CAP + 1), "x-hub-signature-256": ANY_SIGNATURE }),
    );
    expect(answer.status).toBe(413);
    expect(answer.body).toContain("25 MB");
  }, 90_000);

  it("answers 413 to a correctly signed body over 25 MB, on its headers alone, and records nothing", async () => {
    const before = await harness.db.prisma.webhookDelivery.count();
    const body = Buffer.from(JSON.stringify({ action: "opened", padding: "x".repeat(CAP) }));
    const signature = `sha256=${createHmac("sha256", WEBHOOK_SECRET).update(body).digest("hex")}`;
    const answer = await answerToHeaders(
      webhookHeaders({ "content-length": String(body.length), "x-hub-signature-256": signature }),
    );
    expect(answer.status).toBe(413);
    expect(await harness.db.prisma.webhookDelivery.count()).toBe(before);
  }, 90_000);

  it("stops reading a streamed body at 25 MB and answers 413", async () => {
    // No Content-Length (chunked): the endpoint learns the size only by reading. Three times the cap is
    // offered; a server without the cap would read it all and answer 401 (the signature is wrong).
    const { status, sent } = await sendUntilAnswered(
      webhookHeaders({ "x-hub-signature-256": ANY_SIGNATURE }),
      3 * CAP,
    );
    expect(status).toBe(413);
    // Socket buffers hold a few MB more than the server read; nowhere near the 75 MB offered.
    expect(sent).toBeLessThan(2 * CAP);
  }, 60_000);

  it("still takes a correctly signed delivery of ordinary size", async () => {
    const delivery = await e2e.sim.webhooks.deliver("ping", {
      zen: "Keep it logically awesome.",
      hook_id: 1,
    });
    expect(delivery.status).toBe(200);
  });
});
