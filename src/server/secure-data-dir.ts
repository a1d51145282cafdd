// devflow's data directory holds the embedded database, the setup page's App credentials, mirrors and
// worktrees: closed to other users (0700), its credential files 0600 — also those an earlier version
// or an operator's copy left more open.
import { chmodSync, existsSync, mkdirSync, statSync } from "node:fs";
import { join } from "node:path";

const CREDENTIAL_FILES = ["github-app.json", join("postgres", "settings.json")];

/** Creates or tightens the data directory; returns what it tightened (paths), for the log. */
export function secureDataDir(dataDir: string): string[] {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const tightened: string[] = [];
  const tighten = (path: string, mode: number) => {
    if ((statSync(path).mode & 0o777) === mode) return;
    chmodSync(path, mode);
    tightened.push(path);
  };
  // The embedded Postgres's user, when devflow runs as root, gets traverse-only access through a group
  // of its own (see embedded-postgres.ts): that is kept; any other access for group or others is not.
  const { mode, gid } = statSync(dataDir);
  const groupTraverse = gid !== process.getgid?.() ? mode & 0o010 : 0;
  tighten(dataDir, 0o700 | groupTraverse);
  for (const file of CREDENTIAL_FILES) {
    const path = join(dataDir, file);
    if (existsSync(path)) tighten(path, 0o600);
  }
  return tightened;
}
