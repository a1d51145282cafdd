// The credentials file the setup page writes: readable by its user only, never overwritten, and a
// damaged file stops start-up with the file named and the fix — never its contents.
import { generateKeyPairSync } from "node:crypto";
import { chmodSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  readSavedAppCredentials,
  type SavedAppRegistration,
  saveAppCredentials,
} from "../../src/github/setup/saved-app-credentials.js";

const pem = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({
  type: "pkcs1",
  format: "pem",
}) as string;

const registration: SavedAppRegistration = {
  appId: 12,
  slug: "devflow",
  htmlUrl: "https://github.com/apps/devflow",
  githubUrl: "https://github.com",
  clientId: "Iv1.abc",
  clientSecret: "client-secret-value",
  webhookSecret: "webhook-secret-value",
  privateKey: pem,
  registeredAt: "2025-01-01T00:00:00.000Z",
};

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "devflow-saved-"));
});
afterEach(() => rm(dataDir, { recursive: true, force: true }));

describe("saved GitHub App credentials", () => {
  it("are written 0600 even under a permissive umask, and read back as the app's credentials", () => {
    const umask = process.umask(0);
    try {
      saveAppCredentials(dataDir, registration);
    } finally {
      process.umask(umask);
    }
    const file = join(dataDir, "github-app.json");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const saved = readSavedAppCredentials(dataDir);
    expect(saved?.credentials).toEqual({ appId: 12, privateKey: pem, webhookSecret: "webhook-secret-value" });
    expect(JSON.stringify(saved?.registration)).not.toContain("secret-value");
  });

  it("are absent when nothing was saved", () => {
    expect(readSavedAppCredentials(dataDir)).toBeUndefined();
  });

  it("are never overwritten by a second registration", () => {
    saveAppCredentials(dataDir, registration);
    expect(() => saveAppCredentials(dataDir, { ...registration, appId: 13 })).toThrow(
      expect.objectContaining({ code: "app_registration_failed" }),
    );
    expect(JSON.parse(readFileSync(join(dataDir, "github-app.json"), "utf8")).appId).toBe(12);
  });

  it.each([
    ["not JSON", "{ nope", "is not valid JSON"],
    ["a field missing", JSON.stringify({ ...registration, webhookSecret: undefined }), "webhookSecret"],
    [
      "a broken key",
      JSON.stringify({
        ...registration,
        privateKey: "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----",
      }),
      "not a readable PEM private key",
    ],
  ])("stop start-up when %s, naming the file and the fix without its contents", (_name, text, problem) => {
    const file = join(dataDir, "github-app.json");
    writeFileSync(file, text);
    chmodSync(file, 0o600);
    let error: unknown;
    try {
      readSavedAppCredentials(dataDir);
    } catch (caught) {
      error = caught;
    }
    expect(error).toMatchObject({ code: "invalid_saved_app_credentials" });
    const { message, recoveryHint } = error as { message: string; recoveryHint: string };
    expect(message).toContain(file);
    expect(message).toContain(problem);
    expect(recoveryHint).toContain("/setup");
    expect(message).not.toContain("secret-value");
  });
});
