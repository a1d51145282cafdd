// The fake agent's work: the files it writes for a prompt (the implementer's change, then the artifact),
// done in this process or, for worker-restart tests, in a detached process that outlives the worker,
// as a real agent would. Either way it says what it did, one line at a time, as it does it.
import { spawn } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import type { Socket } from "node:net";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { changeText, type FakeOutput } from "./fake-scenarios.js";
import type { PromptEnvelope } from "./prompt-envelope.js";

export interface FakeFile {
  readonly path: string;
  readonly content: string;
}

/** What the prompt's work writes, in order: the worktree change first, the artifact last. */
export function fakeFiles(cwd: string, envelope: PromptEnvelope, output: FakeOutput): FakeFile[] {
  const artifact = {
    path: envelope.expectedArtifact,
    content: `${JSON.stringify(output.artifact, null, 2)}\n`,
  };
  return output.change === undefined
    ? [artifact]
    : [{ path: join(cwd, output.change), content: changeText(envelope) }, artifact];
}

/** Writes the files here and now; `say` hears each step. */
export async function writeFakeFiles(files: readonly FakeFile[], say: (line: string) => void): Promise<void> {
  for (const file of files) {
    await mkdir(dirname(file.path), { recursive: true });
    await writeFile(file.path, file.content);
    say(`wrote ${file.path}`);
  }
}

/** The detached work: wait, check the session is still live, write the files, saying so on stdout. */
const DETACHED_WORK = `
const fs = require("node:fs"); const path = require("node:path");
process.stdout.on("error", () => {}); // the worker that started it may be gone: its words go nowhere
const work = JSON.parse(process.env.DEVFLOW_FAKE_WORK);
setTimeout(() => {
  try { if (JSON.parse(fs.readFileSync(work.stateFile, "utf8")).status !== "live") return; } catch { return; }
  for (const file of work.files) {
    fs.mkdirSync(path.dirname(file.path), { recursive: true }); fs.writeFileSync(file.path, file.content);
    process.stdout.write("wrote " + file.path + "\\n");
  }
}, work.delayMs);`;

/**
 * Starts the work in a detached process that survives this one; while this process lives, the lines
 * it prints reach `say`. Returns its pid.
 */
export function spawnFakeWork(
  work: { stateFile: string; delayMs: number; files: readonly FakeFile[] },
  say: (line: string) => void,
): number | undefined {
  const child = spawn(process.execPath, ["-e", DETACHED_WORK], {
    detached: true,
    stdio: ["ignore", "pipe", "ignore"],
    env: { PATH: process.env.PATH ?? "", DEVFLOW_FAKE_WORK: JSON.stringify(work) },
  });
  child.unref();
  const stdout = child.stdout as Socket | null;
  if (stdout) {
    stdout.unref(); // neither the child nor its pipe keeps this process alive
    createInterface({ input: stdout }).on("line", say);
  }
  return child.pid;
}
