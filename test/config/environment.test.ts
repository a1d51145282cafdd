import { join } from "node:path";
import { inspect } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { ENVIRONMENT_VARIABLES } from "../../src/config/environment.js";
import { CREDENTIALS, environmentFixture, HOSTNAME, PEM } from "./environment-fixture.js";

const { dir, load, rejection, remove } = environmentFixture();
afterAll(remove);

const DEFAULTS = {
  port: 3000,
  dataDir: join(dir, ".devflow"),
  hostId: HOSTNAME,
  logLevel: "info",
};

describe("loadEnvironment", () => {
  it("gives the defaults for an empty environment, frozen", () => {
    const env = load({});
    expect(env).toEqual(DEFAULTS);
    expect(Object.isFrozen(env)).toBe(true);
  });

  it.each(ENVIRONMENT_VARIABLES)("treats an empty %s as unset", (name) => {
    expect(load({ [name]: "" })).toEqual(DEFAULTS);
  });

  it("reads every variable into its typed field, resolving paths against the working directory", () => {
    const env = load({
      PORT: "8080",
      HOST: "127.0.0.1",
      DATABASE_URL: "postgresql://devflow:pw@db.internal:5432/devflow",
      REDIS_URL: "rediss://:pw@redis.internal:6380/2",
      APP_ID: "42",
      PRIVATE_KEY_PATH: "key.pem",
      WEBHOOK_SECRET: "s3cret",
      GHE_HOST: "ghe.example.com:8443",
      GHE_PROTOCOL: "HTTP",
      DEVFLOW_DATA_DIR: "data",
      DEVFLOW_CONFIG: "devflow.yml",
      DEVFLOW_HOST_ID: "worker-1",
      DEVFLOW_PUBLIC_URL: "https://devflow.example.com/ci/",
      GITHUB_CLIENT_ID: "Iv1.0123456789abcdef",
      GITHUB_CLIENT_SECRET: "0123456789abcdef0123456789abcdef01234567",
      LOG_LEVEL: "debug",
      UNRELATED: "ignored",
    });
    expect(env).toEqual({
      port: 8080,
      host: "127.0.0.1",
      databaseUrl: "postgresql://devflow:pw@db.internal:5432/devflow",
      redisUrl: "rediss://:pw@redis.internal:6380/2",
      github: { appId: 42, privateKey: PEM, privateKeyPath: join(dir, "key.pem"), webhookSecret: "s3cret" },
      githubEnterprise: { host: "ghe.example.com:8443", protocol: "http" },
      dataDir: join(dir, "data"),
      configPath: join(dir, "devflow.yml"),
      hostId: "worker-1",
      publicUrl: "https://devflow.example.com/ci",
      oauthClient: {
        clientId: "Iv1.0123456789abcdef",
        clientSecret: "0123456789abcdef0123456789abcdef01234567",
      },
      logLevel: "debug",
    });
  });

  it.each([
    ["with each newline escaped as \\n on one line", PEM.trim().replaceAll("\n", "\\n")],
    ["base64-encoded", Buffer.from(PEM).toString("base64")],
    ["as multi-line PEM text", PEM],
  ])("accepts PRIVATE_KEY %s and hands back the PEM", (_form, value) => {
    expect(load({ ...CREDENTIALS, PRIVATE_KEY: value }).github?.privateKey).toBe(PEM);
  });

  it("defaults GHE_PROTOCOL to https when GHE_HOST is set", () => {
    expect(load({ GHE_HOST: "github.example.com" }).githubEnterprise).toEqual({
      host: "github.example.com",
      protocol: "https",
    });
  });

  it("reports every problem at once, in the order the variables are listed", () => {
    const { error, problems } = rejection({
      LOG_LEVEL: "loud",
      PORT: "-1",
      APP_ID: "7",
      GHE_PROTOCOL: "http",
    });
    expect(problems.map((problem) => problem.variable)).toEqual([
      "PORT",
      "PRIVATE_KEY",
      "GHE_PROTOCOL",
      "LOG_LEVEL",
    ]);
    expect(error.message).toMatch(/^The environment is not valid \(4 problems\):\n- PORT: /);
    for (const problem of problems) expect(error.message).toContain(`- ${problem.message}`);
  });
});

describe("secrets", () => {
  const canaryKey =
    "-----BEGIN RSA PRIVATE KEY-----\ncanary-private-key-7f3a\n-----END RSA PRIVATE KEY-----\n";
  const cases: { name: string; env: Record<string, string>; canaries: string[] }[] = [
    {
      name: "a bad PRIVATE_KEY",
      env: { ...CREDENTIALS, PRIVATE_KEY: canaryKey },
      canaries: ["canary-private-key-7f3a"],
    },
    {
      name: "an escaped bad PRIVATE_KEY",
      env: { ...CREDENTIALS, PRIVATE_KEY: canaryKey.replaceAll("\n", "\\n") },
      canaries: ["canary-private-key-7f3a"],
    },
    {
      name: "a WEBHOOK_SECRET in partial credentials",
      env: { WEBHOOK_SECRET: "canary-webhook-secret-91be" },
      canaries: ["canary-webhook-secret-91be"],
    },
    {
      name: "a DATABASE_URL of the wrong scheme",
      env: { DATABASE_URL: "mysql://devflow:canary-db-password-5c1d@db/devflow" },
      canaries: ["canary-db-password-5c1d"],
    },
    {
      name: "a DATABASE_URL that does not parse",
      env: { DATABASE_URL: "canary-db-url-3e9f" },
      canaries: ["canary-db-url-3e9f"],
    },
    {
      name: "a REDIS_URL of the wrong scheme",
      env: { REDIS_URL: "http://:canary-redis-password-0e44@redis:6379" },
      canaries: ["canary-redis-password-0e44"],
    },
    {
      name: "a secret pasted into APP_ID",
      env: { ...CREDENTIALS, WEBHOOK_SECRET: "canary-pasted-8d21", APP_ID: "canary-pasted-8d21" },
      canaries: ["canary-pasted-8d21"],
    },
    {
      name: "a URL with a password in HOST",
      env: { HOST: "https://me:canary-host-token-44aa@example.com" },
      canaries: ["canary-host-token-44aa"],
    },
    {
      name: "credentials in GHE_HOST",
      env: { GHE_HOST: "me:canary-ghe-token-b7c0@ghe.example.com" },
      canaries: ["canary-ghe-token-b7c0"],
    },
    {
      name: "a GITHUB_CLIENT_SECRET with a space",
      env: { GITHUB_CLIENT_ID: "Iv1.client", GITHUB_CLIENT_SECRET: "canary client secret 2f" },
      canaries: ["canary client secret 2f"],
    },
    {
      name: "a GITHUB_CLIENT_SECRET without its client id",
      env: { GITHUB_CLIENT_SECRET: "canary-client-secret-88c1" },
      canaries: ["canary-client-secret-88c1"],
    },
    {
      name: "a private key pasted into DEVFLOW_HOST_ID",
      env: { DEVFLOW_HOST_ID: canaryKey },
      canaries: ["canary-private-key-7f3a"],
    },
  ];

  it.each(cases)("never shows $name in the message, details or cause", ({ env, canaries }) => {
    const { error } = rejection(env);
    const everything = [error.message, JSON.stringify(error.details), inspect(error, { depth: Infinity })];
    for (const canary of canaries) for (const text of everything) expect(text).not.toContain(canary);
    expect(error.cause).toBeUndefined();
  });

  it("keeps secrets out of a loaded environment's JSON and inspect output", () => {
    const env = load({
      ...CREDENTIALS,
      WEBHOOK_SECRET: "canary-webhook-9a0b",
      DATABASE_URL: "postgres://devflow:canary-db-2c3d@db/devflow?sslmode=require",
      REDIS_URL: "rediss://:canary-redis-4e5f@redis:6380",
      GITHUB_CLIENT_ID: "Iv1.client",
      GITHUB_CLIENT_SECRET: "canary-client-secret-6a7b",
    });
    const keyLine = PEM.split("\n")[1] ?? "";
    const views = [
      JSON.stringify(env),
      inspect(env, { depth: Infinity }),
      JSON.stringify({ github: env.github }),
    ];
    for (const view of views) {
      for (const canary of [
        "canary-webhook-9a0b",
        "canary-db-2c3d",
        "canary-redis-4e5f",
        "canary-client-secret-6a7b",
        keyLine,
      ]) {
        expect(view).not.toContain(canary);
      }
    }
    expect(env.github?.webhookSecret).toBe("canary-webhook-9a0b");
    expect(env.oauthClient?.clientSecret).toBe("canary-client-secret-6a7b");
    expect(JSON.stringify(env)).toContain("Iv1.client");
  });
});
