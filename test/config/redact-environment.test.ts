import { afterAll, describe, expect, it } from "vitest";
import { redactEnvironment, redactUrl } from "../../src/config/redact-environment.js";
import { CREDENTIALS, environmentFixture } from "./environment-fixture.js";

const { dir, load, remove } = environmentFixture();
afterAll(remove);

describe("redactUrl", () => {
  it.each([
    ["postgres://devflow:pw@db:5432/devflow", "postgres://devflow:[redacted]@db:5432/devflow"],
    ["rediss://:pw@redis:6380/2", "rediss://:[redacted]@redis:6380/2"],
    ["redis://localhost:6379", "redis://localhost:6379"],
    ["postgres://devflow@db/devflow", "postgres://devflow@db/devflow"],
    [
      "postgresql://db/devflow?sslmode=require&password=pw&sslpassword=pw",
      "postgresql://db/devflow?sslmode=require&password=[redacted]&sslpassword=[redacted]",
    ],
    ["postgres://u:pw@db/devflow#pw", "postgres://u:[redacted]@db/devflow"],
    ["not a url", "[redacted]"],
  ])("turns %s into %s", (url, redacted) => {
    expect(redactUrl(url)).toBe(redacted);
  });
});

describe("redactEnvironment", () => {
  it("keeps what start-up should log and replaces every secret", () => {
    const env = load({
      ...CREDENTIALS,
      DATABASE_URL: "postgres://devflow:pw@db/devflow",
      REDIS_URL: "redis://:pw@redis:6379",
      GHE_HOST: "ghe.example.com",
      DEVFLOW_CONFIG: "devflow.yml",
    });
    expect(redactEnvironment(env)).toEqual({
      port: 3000,
      databaseUrl: "postgres://devflow:[redacted]@db/devflow",
      redisUrl: "redis://:[redacted]@redis:6379",
      github: { appId: 123, privateKey: "[redacted]", webhookSecret: "[redacted]" },
      githubEnterprise: { host: "ghe.example.com", protocol: "https" },
      dataDir: `${dir}/.devflow`,
      configPath: `${dir}/devflow.yml`,
      hostId: "test-host",
      logLevel: "info",
    });
  });

  it("names the key file when the key came from PRIVATE_KEY_PATH", () => {
    const env = load({ APP_ID: "1", PRIVATE_KEY_PATH: "key.pem", WEBHOOK_SECRET: "s" });
    expect(redactEnvironment(env).github).toEqual({
      appId: 1,
      privateKey: "[redacted]",
      privateKeyPath: `${dir}/key.pem`,
      webhookSecret: "[redacted]",
    });
  });

  it("is what JSON.stringify shows of a loaded environment", () => {
    const env = load({ ...CREDENTIALS, DATABASE_URL: "postgres://devflow:pw@db/devflow" });
    expect(JSON.parse(JSON.stringify(env))).toEqual(redactEnvironment(env));
  });
});
