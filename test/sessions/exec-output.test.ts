// ExecOutput keeps an exec agent's output bounded whatever it prints: lines are cut at the line limit
// (the partial line held between reads included), and a session's transcript stops at its byte limit.
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ExecOutput, type ExecOutputOptions } from "../../src/sessions/exec-output.js";

let dir: string;
let count = 0;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "devflow-exec-output-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

function output(options: Partial<ExecOutputOptions> = {}) {
  const transcriptPath = options.transcriptPath ?? join(dir, `transcript-${++count}.log`);
  const chunks: string[][] = [];
  const out = new ExecOutput({
    transcriptPath,
    onChunk: (lines) => chunks.push(lines),
    maxChunkLines: 100,
    maxLineChars: 2_000,
    tailLines: 20,
    flushMs: 10,
    ...options,
  });
  return { out, transcriptPath, chunks };
}

/** Writes `pieces` to a stream ExecOutput reads, then ends it and closes the output. */
async function feed(out: ExecOutput, pieces: Iterable<string | Buffer>): Promise<void> {
  const stream = new PassThrough();
  out.attach(stream);
  for (const piece of pieces) {
    if (!stream.write(piece)) await new Promise((resolve) => stream.once("drain", resolve));
  }
  stream.end();
  await new Promise((resolve) => setImmediate(resolve));
  await out.close();
}

function* megabytesWithoutNewline(megabytes: number) {
  const chunk = Buffer.alloc(64 * 1024, "x");
  for (let i = 0; i < megabytes * 16; i++) yield chunk;
}

describe("ExecOutput", () => {
  it("cuts a line over the line limit with a marker, however many reads it spans", async () => {
    const { out, transcriptPath, chunks } = output({ lineLimitChars: 1_000 });
    await feed(out, [...megabytesWithoutNewline(20), "\nnext line\r\n"]);
    const lines = (await readFile(transcriptPath, "utf8")).split("\n");
    const dropped = 20 * 1024 * 1024 - 1_000;
    expect(lines[0]).toBe(`${"x".repeat(1_000)}… [devflow: line cut, ${dropped} more characters]`);
    expect(lines[1]).toBe("next line");
    expect(out.tail()).toEqual([lines[0], "next line"]);
    expect(chunks.flat()[1]).toBe("next line");
  });

  it("keeps a character split across reads whole", async () => {
    const { out, transcriptPath } = output();
    const bytes = Buffer.from("grüße\n");
    await feed(out, [bytes.subarray(0, 3), bytes.subarray(3)]);
    expect(await readFile(transcriptPath, "utf8")).toBe("grüße\n");
  });

  it("stops the session's transcript at its byte limit with one marker line, counting what earlier prompts wrote", async () => {
    const transcriptPath = join(dir, "session-transcript.log");
    await writeFile(transcriptPath, `${"earlier prompt\n".repeat(1_000)}`); // 15,000 bytes
    const { out } = output({ transcriptPath, transcriptLimitBytes: 64 * 1024 });
    const lines = Array.from({ length: 20_000 }, (_, i) => `line ${i} ${"y".repeat(40)}\n`);
    await feed(out, lines);
    const text = await readFile(transcriptPath, "utf8");
    const markers = text.split("\n").filter((line) => line.includes("the transcript reached its limit"));
    expect(markers).toHaveLength(1);
    expect(markers[0]).toContain("limits.transcriptBytesPerSession");
    expect((await stat(transcriptPath)).size).toBeLessThanOrEqual(64 * 1024 + 300);
    expect(text.startsWith("earlier prompt\n")).toBe(true);
    // The tail still shows how the agent ended, for the failure reason.
    expect(out.tail().at(-1)).toBe(`line 19999 ${"y".repeat(40)}`);
  });
});
