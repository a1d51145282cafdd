// Writes an agent's output into Postgres as it is produced (TranscriptChunk rows), so any web process
// streams it and the transcript file on the worker host is only a cache. Given to the exec adapter as
// its `onOutput` callback: one chunk per callback, cut to `chunkBytes`, in order per session.
import type { PrismaClient } from "../../db/index.js";
import { cutToBytes as cutText, pruneStoredReports } from "../../engine/index.js";

export interface TranscriptWriterOptions {
  prisma: PrismaClient;
  /** A chunk's text is cut at this many bytes (the server config's `transcriptChunkBytes`). */
  chunkBytes: number;
  /** Told about a chunk that could not be stored (the agent goes on; the file still has it). */
  onError?: (error: Error, sessionId: string) => void;
}

export interface TranscriptWriter {
  /** The exec adapter's `onOutput`: never throws, never blocks the agent. */
  readonly onOutput: (sessionId: string, lines: string[]) => void;
  /** Settles once every chunk handed so far is stored (or failed). */
  flush(): Promise<void>;
}

interface SessionCursor {
  /** Resolved once: the session's run and the next free seq (a restarted worker continues after its last). */
  start: Promise<{ runId: string; nextSeq: number } | undefined>;
  /** The last write; the next one waits for it, so seqs follow the agent's order. */
  tail: Promise<void>;
}

export function createTranscriptWriter(options: TranscriptWriterOptions): TranscriptWriter {
  const { prisma, chunkBytes } = options;
  const cursors = new Map<string, SessionCursor>();

  const cursorOf = (sessionId: string): SessionCursor => {
    let cursor = cursors.get(sessionId);
    if (!cursor) {
      cursor = {
        start: (async () => {
          const session = await prisma.session.findUnique({
            where: { id: sessionId },
            select: { runId: true },
          });
          if (!session) return undefined;
          const last = await prisma.transcriptChunk.findFirst({
            where: { sessionId },
            orderBy: { seq: "desc" },
            select: { seq: true },
          });
          return { runId: session.runId, nextSeq: (last?.seq ?? -1) + 1 };
        })(),
        tail: Promise.resolve(),
      };
      cursors.set(sessionId, cursor);
    }
    return cursor;
  };

  const store = async (cursor: SessionCursor, sessionId: string, text: string) => {
    const started = await cursor.start;
    if (!started) return; // not a session of this database (a test's own adapter): nothing to attach to
    const seq = started.nextSeq;
    started.nextSeq += 1;
    await prisma.transcriptChunk.create({ data: { sessionId, runId: started.runId, seq, text } });
  };

  return {
    onOutput(sessionId, lines) {
      if (lines.length === 0) return;
      const text = cutToBytes(lines.map((line) => `${line}\n`).join(""), chunkBytes);
      const cursor = cursorOf(sessionId);
      cursor.tail = cursor.tail
        .then(() => store(cursor, sessionId, text))
        .catch((error: Error) => {
          // A failed start is retried by the next chunk (e.g. the session row was not committed yet).
          cursors.delete(sessionId);
          options.onError?.(error, sessionId);
        });
    },
    async flush() {
      await Promise.all([...cursors.values()].map((cursor) => cursor.tail));
    },
  };
}

/** `text` cut at `maxBytes` on a character boundary, saying how much was left out. */
export function cutToBytes(text: string, maxBytes: number): string {
  return cutText(
    text,
    maxBytes,
    (omitted) => `… [${omitted} more bytes of this chunk not stored: transcriptChunkBytes]\n`,
  );
}

/** Deletes transcripts (and, when configured, reports) of runs finished more than the retention ago. */
export async function pruneTranscripts(
  prisma: PrismaClient,
  retention: { transcriptDays: number; reportDays: number },
  now: Date = new Date(),
): Promise<{ chunks: number; reports: number }> {
  const before = (days: number) => new Date(now.getTime() - days * 86_400_000);
  const finished = (days: number) => ({
    state: { in: ["completed" as const, "failed" as const, "aborted" as const] },
    finishedAt: { lt: before(days) },
  });
  const chunks =
    retention.transcriptDays > 0
      ? await prisma.transcriptChunk.deleteMany({ where: { run: finished(retention.transcriptDays) } })
      : { count: 0 };
  const reports =
    retention.reportDays > 0 ? await pruneStoredReports(prisma, before(retention.reportDays)) : 0;
  return { chunks: chunks.count, reports };
}
