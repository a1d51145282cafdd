// Shared by the environment tests: throwaway keys (made per run, never committed), a temp working
// directory with the files the cases point at, and helpers that load from it.

import { createPrivateKey, generateKeyPairSync } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import { type EnvironmentProblem, loadEnvironment } from "../../src/config/environment.js";
import { DevflowError } from "../../src/errors/index.js";

// GitHub hands out PKCS#1 ("BEGIN RSA PRIVATE KEY") files.
const rsa = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  publicKeyEncoding: { type: "spki", format: "pem" },
  privateKeyEncoding: { type: "pkcs1", format: "pem" },
});
export const PEM = rsa.privateKey;
export const PUBLIC_PEM = rsa.publicKey;
export const ENCRYPTED_PEM = createPrivateKey(PEM)
  .export({ type: "pkcs8", format: "pem", cipher: "aes-256-cbc", passphrase: "passphrase" })
  .toString();
export const EC_PEM = generateKeyPairSync("ec", {
  namedCurve: "P-256",
  publicKeyEncoding: { type: "spki", format: "pem" },
  privateKeyEncoding: { type: "pkcs8", format: "pem" },
}).privateKey;

export const HOSTNAME = "test-host";
export const CREDENTIALS = { APP_ID: "123", PRIVATE_KEY: PEM, WEBHOOK_SECRET: "webhook-secret" };

type Env = Record<string, string | undefined>;

/**
 * A temp working directory holding key.pem (a valid key), notes.txt (not a key), devflow.yml and
 * keys/ (a directory). Call `remove` in afterAll.
 */
export function environmentFixture() {
  const dir = mkdtempSync(join(tmpdir(), "devflow-environment-"));
  writeFileSync(join(dir, "key.pem"), PEM);
  writeFileSync(join(dir, "notes.txt"), "not a key\n");
  writeFileSync(join(dir, "devflow.yml"), "agents: {}\n");
  mkdirSync(join(dir, "keys"));

  const load = (env: Env, hostname = HOSTNAME) => loadEnvironment(env, { cwd: dir, hostname });

  /** Loads `env`, expecting the one invalid_environment error; returns it and its problems. */
  const rejection = (env: Env, hostname = HOSTNAME) => {
    let caught: unknown;
    try {
      load(env, hostname);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(DevflowError);
    const error = caught as DevflowError;
    expect(error.code).toBe("invalid_environment");
    return { error, problems: error.details.problems as EnvironmentProblem[] };
  };

  const remove = () => rmSync(dir, { recursive: true, force: true });
  return { dir, load, rejection, remove };
}
