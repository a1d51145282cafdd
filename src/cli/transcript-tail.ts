// The last lines an agent printed, for the live view and `devflow logs`: an exec agent's transcript, or
// for a tmux agent what its pane showed (pane.log beside the transcript, terminal escapes removed).
import { existsSync } from "node:fs";
import { open } from "node:fs/promises";
import { dirname, join } from "node:path";
import { stripVTControlCharacters } from "node:util";
import type { PrismaClient } from "../db/index.js";

export interface TranscriptSource {
  sessionId: string;
  roleId: string;
  backend: string;
  path: string;
}

/** The transcript of the run's most recent session, if it has one on this machine. */
export async function latestTranscript(
  prisma: PrismaClient,
  runId: string,
): Promise<TranscriptSource | undefined> {
  const session = await prisma.session.findFirst({
    where: { runId, transcriptPath: { not: null } },
    orderBy: { createdAt: "desc" },
  });
  if (!session?.transcriptPath) return undefined;
  const pane = join(dirname(session.transcriptPath), "pane.log");
  const path = session.backend === "tmux" && existsSync(pane) ? pane : session.transcriptPath;
  return { sessionId: session.id, roleId: session.roleId, backend: session.backend, path };
}

/** The last `count` non-empty lines of a file (read from its last 64 KiB); [] when it is missing. */
export async function readTail(path: string, count: number): Promise<string[]> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(path, "r");
    const { size } = await handle.stat();
    const length = Math.min(size, 64 * 1024);
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, size - length);
    return buffer
      .toString("utf8")
      .split(/\r?\n|\r/)
      .map((line) => stripVTControlCharacters(line).trimEnd())
      .filter((line) => line.trim() !== "")
      .slice(-count);
  } catch {
    return [];
  } finally {
    await handle?.close();
  }
}
