// The floor of a durable acknowledgement: a plain Node HTTP server that does only what any acknowledgement
// that survives a crash must do — read the body, check its HMAC, parse it, and insert it into the
// WebhookDelivery table (the same table and indexes as devflow's, grouped as devflow groups them), then
// answer. No Probot, no processing, no logging. Started as a process of its own by bench/webhook/main.ts;
// prints "ready" when listening. Environment: PORT, DATABASE_URL, WEBHOOK_SECRET.
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { createServer } from "node:http";
import pg from "pg";
import { createDeliveryInserts } from "../../src/github/intake/delivery-inserts.js";

const secret = process.env.WEBHOOK_SECRET ?? "";
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 2 });
const inserts = createDeliveryInserts(pool, { columns: `"deliveryId", "event", "payloadSha256", "body"` });

const server = createServer((request, response) => {
  const hmac = createHmac("sha256", secret);
  const chunks: Buffer[] = [];
  request.on("data", (chunk: Buffer) => {
    hmac.update(chunk);
    chunks.push(chunk);
  });
  request.on("end", async () => {
    const given = Buffer.from(String(request.headers["x-hub-signature-256"] ?? ""));
    const expected = Buffer.from(`sha256=${hmac.digest("hex")}`);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      response.writeHead(401).end();
      return;
    }
    const body = Buffer.concat(chunks).toString("utf8");
    JSON.parse(body);
    const sha = createHash("sha256").update(body).digest("hex");
    await inserts.insert([
      request.headers["x-github-delivery"],
      request.headers["x-github-event"],
      sha,
      body,
    ]);
    response.writeHead(200, { "content-type": "text/plain" }).end("ok\n");
  });
});
server.listen(Number(process.env.PORT), "127.0.0.1", () => console.log("ready"));
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => server.close(() => void pool.end().then(() => process.exit(0))));
}
