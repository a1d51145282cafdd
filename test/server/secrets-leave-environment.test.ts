// `devflow start` reads its secrets once and takes them out of process.env: code that reads process.env
// later (a library, a child process spawned without an explicit environment) finds none, while devflow
// works with the values it was given — the database, the queue and the webhook secret.
import { createHmac, generateKeyPairSync, randomUUID } from "node:crypto";
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startFromEnvironment } from "../../src/cli/start-command.js";
import { findFreePort } from "../../src/server/free-port.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";

let db: TestDatabase;
const dirs: string[] = [];
const SECRET_NAMES = ["DATABASE_URL", "REDIS_URL", "PRIVATE_KEY", "WEBHOOK_SECRET", "GITHUB_CLIENT_SECRET"];
const saved = { ...process.env };

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
  Object.assign(process.env, saved);
  await db.drop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const privateKey = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs1", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
}).privateKey;

/** The environment a deployment gives devflow, in this process's own process.env. */
async function deploymentEnvironment() {
  const dataDir = mkdtempSync(join(tmpdir(), "devflow-secrets-"));
  dirs.push(dataDir);
  const port = await findFreePort();
  const webhookSecret = `canary-webhook-${randomUUID()}`;
  const redisUrl = inject("redisUrl");
  Object.assign(process.env, {
    PORT: String(port),
    HOST: "127.0.0.1",
    DEVFLOW_DATA_DIR: dataDir,
    DATABASE_URL: db.url,
    ...(redisUrl ? { REDIS_URL: redisUrl } : {}),
    APP_ID: "4242",
    PRIVATE_KEY: privateKey,
    WEBHOOK_SECRET: webhookSecret,
    // The dashboard's OAuth client from the environment: its id is public, its secret a canary.
    GITHUB_CLIENT_ID: "Iv1.devflowtest",
    GITHUB_CLIENT_SECRET: `canary-client-${randomUUID()}`,
    // An unreachable GitHub: the web side's redelivery sweep fails fast instead of calling github.com.
    GHE_HOST: "127.0.0.1:9",
    GHE_PROTOCOL: "http",
    LOG_LEVEL: "error",
  });
  return { dataDir, port, webhookSecret };
}

const quiet = new Writable({ write: (_chunk, _encoding, done) => done() });

describe("devflow start", () => {
  it.each(["web", "worker"] as const)(
    "takes the secrets out of the %s process's environment once read, and still uses them",
    async (role) => {
      const { dataDir, port, webhookSecret } = await deploymentEnvironment();
      // A data directory and credentials file left open by an earlier version: closed on start.
      writeFileSync(join(dataDir, "github-app.json"), "{}", { mode: 0o644 });
      chmodSync(dataDir, 0o755);
      const { devflow } = await startFromEnvironment(role, { logTo: quiet });
      try {
        for (const name of SECRET_NAMES) expect(process.env[name], name).toBeUndefined();
        expect(statSync(dataDir).mode & 0o777).toBe(0o700);
        expect(statSync(join(dataDir, "github-app.json")).mode & 0o777).toBe(0o600);
        const health = (await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()) as Record<
          string,
          unknown
        >;
        expect(health).toMatchObject({ status: "ready", role, database: "DATABASE_URL" });
        if (role === "web") {
          // The webhook secret was handed to the endpoint explicitly: a body it signed is accepted.
          const body = JSON.stringify({ zen: "Keep it logically awesome.", hook_id: 1 });
          const post = (signature: string) =>
            fetch(`http://127.0.0.1:${port}/api/github/webhooks`, {
              method: "POST",
              headers: {
                "content-type": "application/json",
                "x-github-event": "ping",
                "x-github-delivery": randomUUID(),
                "x-hub-signature-256": signature,
              },
              body,
            });
          const signed = `sha256=${createHmac("sha256", webhookSecret).update(body).digest("hex")}`;
          expect((await post(signed)).status).toBeLessThan(300);
          expect((await post(`sha256=${"0".repeat(64)}`)).status).toBe(401);
        }
      } finally {
        await devflow.stop();
      }
    },
  );
});
