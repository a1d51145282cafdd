// The operating-system user the embedded Postgres runs as: Postgres refuses root, so a devflow running
// as root starts it as an unprivileged `postgres` user, which must be able to reach its directory.
import { execFileSync } from "node:child_process";
import { chmodSync, chownSync, statSync } from "node:fs";
import { userInfo } from "node:os";
import { dirname } from "node:path";
import { DevflowError } from "../errors/index.js";
import { serviceEnvironment } from "./service-environment.js";

export interface OsUser {
  readonly uid: number;
  readonly gid: number;
}

/** Postgres refuses to run as root: run it as an unprivileged `postgres` user, creating one if needed. */
export function runAsUser(): OsUser | undefined {
  if (userInfo().uid !== 0) return undefined;
  const lookup = () => {
    try {
      const env = serviceEnvironment();
      const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8", env }).trim());
      const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8", env }).trim());
      return { uid, gid };
    } catch {
      return undefined;
    }
  };
  const existing = lookup();
  if (existing) return existing;
  try {
    execFileSync("useradd", ["--system", "--user-group", "--no-create-home", "postgres"], {
      stdio: "ignore",
      env: serviceEnvironment(),
    });
  } catch (error) {
    throw new DevflowError(
      "devflow runs as root and could not create a `postgres` user for the embedded Postgres.",
      {
        code: "embedded_postgres_failed",
        cause: error,
        recoveryHint:
          "Create an unprivileged `postgres` user (useradd postgres), run devflow as a normal user, or set DATABASE_URL.",
      },
    );
  }
  const created = lookup();
  if (!created)
    throw new DevflowError("The `postgres` user vanished after creation.", {
      code: "embedded_postgres_failed",
    });
  return created;
}

/**
 * The unprivileged user must be able to reach the data directory through every parent. The data
 * directory itself stays closed to others (0700): its group becomes the user's, with traverse only.
 */
export function assertTraversable(dir: string, owner: OsUser | undefined): void {
  if (!owner) return;
  const dataDir = dirname(dir);
  const stats = statSync(dataDir);
  if ((stats.mode & 0o001) === 0 && stats.uid === userInfo().uid) {
    chownSync(dataDir, stats.uid, owner.gid);
    chmodSync(dataDir, (stats.mode & 0o700) | 0o010);
  }
  for (let current = dataDir; current !== dirname(current); current = dirname(current)) {
    const { mode, gid } = statSync(current);
    if ((mode & 0o001) === 0 && !((mode & 0o010) !== 0 && gid === owner.gid)) {
      throw new DevflowError(
        `The embedded Postgres runs as the user "postgres", which cannot enter ${current} (mode ${(statSync(current).mode & 0o777).toString(8)}).`,
        {
          code: "embedded_postgres_failed",
          recoveryHint: `Set DEVFLOW_DATA_DIR to a directory outside ${current} (e.g. /var/lib/devflow), or set DATABASE_URL.`,
        },
      );
    }
  }
}
