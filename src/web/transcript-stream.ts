// A run's transcript as Server-Sent Events, read from Postgres (so any web process serves it). Each
// chunk's id is the event id: a reconnecting EventSource sends Last-Event-ID and gets only what came
// after. Polls (cheap: an indexed range read) rather than LISTEN, so it needs nothing but the database.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { PrismaClient } from "../db/index.js";
import { isTerminal, runStateOf } from "../engine/index.js";

export async function streamTranscript(
  prisma: PrismaClient,
  runId: string,
  request: IncomingMessage,
  response: ServerResponse,
  options: { pollMs?: number } = {},
): Promise<void> {
  const lastEventId = request.headers["last-event-id"];
  let after = /^\d+$/.test(String(lastEventId ?? "")) ? BigInt(String(lastEventId)) : 0n;
  response.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-store",
    "x-accel-buffering": "no",
  });
  response.write("retry: 2000\n\n");
  let open = true;
  // The response's close, not the request's: a GET request "closes" as soon as its (empty) body is read.
  response.on("close", () => {
    open = false;
  });
  const pollMs = options.pollMs ?? 500;
  while (open) {
    const chunks = await prisma.transcriptChunk.findMany({
      where: { runId, id: { gt: after } },
      orderBy: { id: "asc" },
      take: 200,
      select: { id: true, text: true },
    });
    for (const chunk of chunks) {
      // One data: line per transcript line; the client gets the text back with its newlines.
      const lines = chunk.text.split("\n");
      response.write(`id: ${chunk.id}\n${lines.map((line) => `data: ${line}`).join("\n")}\n\n`);
      after = chunk.id;
    }
    if (chunks.length === 200) continue;
    const state = await runStateOf(prisma, runId);
    if (state === null || isTerminal(state)) {
      response.write("event: end\ndata: \n\n");
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
  response.end();
}
