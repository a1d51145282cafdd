// Where the canary tests look for leaked secrets: every file under a directory and every row of every
// table, as text.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import type { IssueRecord } from "../github-sim/index.js";
import type { GitHubE2E } from "./github-e2e.js";

/** Every regular file under `dir` smaller than 20 MB (a sparse 1.2 GB artifact is not worth reading). */
export function filesUnder(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...filesUnder(path));
    else if (entry.isFile() && statSync(path).size < 20_000_000) found.push(path);
  }
  return found;
}

/** Every row of every table in the database at `url`, as JSON text. */
export async function databaseText(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const tables = await client.query<{ schema: string; name: string }>(
      `SELECT table_schema AS schema, table_name AS name FROM information_schema.tables
       WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')`,
    );
    const parts: string[] = [];
    for (const { schema, name } of tables.rows) {
      const rows = await client.query<{ row: string }>(
        `SELECT row_to_json(t)::text AS row FROM "${schema}"."${name}" t`,
      );
      parts.push(...rows.rows.map((r) => r.row));
    }
    return parts.join("\n");
  } finally {
    await client.end();
  }
}

/** The places a run leaves text in: devflow's files, its database, its processes' logs, its GitHub writes. */
export async function placesOfRun(options: {
  dataDir: string;
  databaseUrl: string;
  e2e: GitHubE2E;
  repo: string;
  issue: IssueRecord;
}): Promise<Record<string, string>> {
  const { e2e, repo, issue } = options;
  return {
    "devflow's data directories (worktrees, transcripts, reports, mirrors)": filesUnder(options.dataDir)
      .map((path) => `${path}\n${readFileSync(path, "latin1")}`)
      .join("\n"),
    "the database (run events, outbox payloads, prompts, reports, audit)": await databaseText(
      options.databaseUrl,
    ),
    "the web process's log": e2e.web.output(),
    "the worker process's log": e2e.worker.output(),
    "what devflow wrote to GitHub": JSON.stringify({
      comments: e2e.sim.state.commentsOn(issue),
      checkRuns: [...e2e.sim.state.checkRuns.values()],
      pulls: e2e.sim.state.pulls(repo),
    }),
  };
}

/** "<secret> in <place>" for every canary value found in a place's text. */
export function leaksIn(canaries: Record<string, string[]>, places: Record<string, string>): string[] {
  const leaks: string[] = [];
  for (const [secret, values] of Object.entries(canaries)) {
    for (const [place, text] of Object.entries(places)) {
      if (values.some((value) => text.includes(value))) leaks.push(`${secret} in ${place}`);
    }
  }
  return leaks;
}
