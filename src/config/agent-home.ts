// What an operator puts into each session's HOME before its agent starts (server config `home` on an
// agent): the files a CLI reads at start-up — its settings, a login's credential file, the state that
// says its first-run checks are done — so that an agent whose HOME is new for every session still
// starts unattended. A directory to copy (`from`) and/or files given inline (`files`, written after the
// copy). The contents are the operator's: devflow never logs them, and they reach no prompt or report.
import { posix } from "node:path";
import { z } from "zod";

/** Largest inline file: settings and credentials, not data. */
export const MAX_HOME_FILE_CHARS = 256 * 1024;

export interface HomeSeed {
  /** A host directory whose regular files and directories are copied into each new session HOME. */
  readonly from?: string;
  /** Files written into each new session HOME after the copy: path relative to HOME → content. */
  readonly files?: Readonly<Record<string, string>>;
}

/** Why `path` cannot name a file inside HOME, or undefined when it can. */
export function homePathProblem(path: string): string | undefined {
  if (path === "" || posix.isAbsolute(path)) return "is not a path relative to HOME";
  if (posix.normalize(path) !== path || path.endsWith("/"))
    return "is not a plain relative path (no ./, //, or trailing /)";
  if (path.split("/").includes("..")) return "leaves HOME through ..";
  return undefined;
}

export const homeSeedSchema = z
  .strictObject({
    from: z.string().regex(/^\/./, "an absolute path such as /etc/devflow/claude-home").optional(),
    files: z
      .record(z.string(), z.string().max(MAX_HOME_FILE_CHARS, `at most ${MAX_HOME_FILE_CHARS} characters`))
      .superRefine((files, ctx) => {
        const paths = Object.keys(files);
        if (paths.length > 50)
          ctx.addIssue({ code: "custom", message: `found ${paths.length} files; allowed: 50` });
        for (const path of paths) {
          const problem = homePathProblem(path);
          if (problem === undefined) continue;
          const message = `found "${path}", which ${problem}; allowed: e.g. .codex/config.toml`;
          ctx.addIssue({ code: "custom", path: [path], message });
        }
      })
      .optional(),
  })
  .optional();
