// The GitHub App credentials that devflow's setup page got from GitHub, kept in the data directory
// (`<dataDir>/github-app.json`, mode 0600) — never in the repository's .env, where Probot's own setup
// would put them. Environment variables (APP_ID, PRIVATE_KEY…, WEBHOOK_SECRET) win over this file.
import { chmodSync, linkSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import type { GitHubAppCredentials } from "../../config/index.js";
import { decodePrivateKey, privateKeyDefect } from "../../config/index.js";
import { DevflowError } from "../../errors/index.js";

export const SAVED_CREDENTIALS_FILE = "github-app.json";

const savedSchema = z.object({
  appId: z.int().positive(),
  slug: z.string().min(1),
  /** The app's page on GitHub (…/apps/<slug>); installing it is `${htmlUrl}/installations/new`. */
  htmlUrl: z.string().url(),
  /** The GitHub the app was registered on (https://github.com or the GHE_HOST's web root). */
  githubUrl: z.string().url(),
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
  webhookSecret: z.string().min(1),
  privateKey: z.string().min(1),
  registeredAt: z.string(),
});

export type SavedAppRegistration = z.output<typeof savedSchema>;

export interface SavedAppCredentials {
  readonly credentials: GitHubAppCredentials;
  readonly registration: Omit<SavedAppRegistration, "clientSecret" | "webhookSecret" | "privateKey">;
  readonly file: string;
  /** Permission bits of the file: anything beyond 0600 lets other users read the key. */
  readonly mode: number;
}

export function savedCredentialsPath(dataDir: string): string {
  return join(dataDir, SAVED_CREDENTIALS_FILE);
}

function invalid(file: string, what: string): DevflowError {
  return new DevflowError(`${file}: ${what} (contents hidden: they hold the App's secrets).`, {
    code: "invalid_saved_app_credentials",
    details: { file },
  });
}

/** The credentials saved in the data directory, or undefined when none were saved. */
export function readSavedAppCredentials(dataDir: string): SavedAppCredentials | undefined {
  const file = savedCredentialsPath(dataDir);
  let text: string;
  let mode: number;
  try {
    mode = statSync(file).mode & 0o777;
    text = readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === "ENOENT") return undefined;
    throw invalid(file, `cannot be read (${typeof code === "string" ? code : "error"})`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw invalid(file, "is not valid JSON");
  }
  const parsed = savedSchema.safeParse(raw);
  if (!parsed.success) {
    const fields = [...new Set(parsed.error.issues.map((issue) => issue.path.join(".") || "(top level)"))];
    throw invalid(file, `has missing or malformed fields: ${fields.join(", ")}`);
  }
  const saved = parsed.data;
  const pem = decodePrivateKey(saved.privateKey);
  const defect = privateKeyDefect(pem);
  if (defect !== undefined) throw invalid(file, `its privateKey ${defect}`);
  const { clientSecret: _c, webhookSecret, privateKey: _p, ...registration } = saved;
  return {
    credentials: { appId: saved.appId, privateKey: pem, webhookSecret },
    registration,
    file,
    mode,
  };
}

/**
 * Saves what GitHub returned for a new registration, readable by this user only. It never replaces a
 * registration already saved (the link fails if the file exists), so a second callback cannot swap the
 * app devflow runs as.
 */
export function saveAppCredentials(dataDir: string, registration: SavedAppRegistration): string {
  const file = savedCredentialsPath(dataDir);
  const temporary = `${file}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(registration, null, 2)}\n`, { mode: 0o600, flag: "wx" });
  try {
    chmodSync(temporary, 0o600); // the mode above is subject to the umask; this is not
    linkSync(temporary, file);
  } catch (error) {
    if ((error as { code?: unknown }).code === "EEXIST") {
      throw new DevflowError(`An app registration is already saved in ${file}; it was left as it is.`, {
        code: "app_registration_failed",
        recoveryHint: `Restart devflow to run as the saved app, or delete ${file} first to register another one.`,
      });
    }
    throw error;
  } finally {
    rmSync(temporary, { force: true });
  }
  return file;
}
