// The floor of a durable acknowledgement: a plain Node HTTP server that does only what any acknowledgement
// that survives a crash must do — read the body, check its HMAC, parse it, and insert it into the
// WebhookDelivery table (the same table and indexes as devflow's, grouped as devflow groups them), then
// answer. No Probot, no processing, no logging. With FLOOR_WRITE=none it stores nothing and only asks
// Postgres `SELECT 1` before answering: the least any acknowledgement that waits on Postgres costs.
// Started as a process of its own by bench/webhook/main.ts; prints "ready" when listening. Environment:
// PORT, DATABASE_URL, WEBHOOK_SECRET, FLOOR_WRITE (insert, the default, or none).
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { createServer } from "node:http";
import pg from "pg";
import { createDeliveryInserts } from "../../src/github/intake/delivery-inserts.js";

const secret = process.env.WEBHOOK_SECRET ?? "";
const roundTripOnly = process.env.FLOOR_WRITE === "none";
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
    if (roundTripOnly) await pool.query("SELECT 1");
    else
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
