// What a tmux session keeps beside it for its prompts (DESIGN §4): the latest envelope at a path that
// stays the same for the whole session (the pane's DEVFLOW_PROMPT_FILE — a pane's environment cannot
// change after it starts, so per-prompt values are read from this file), and the dedupKeys already
// pasted, so that a replay — also from a worker restarted on this host — is not pasted twice.
import { appendFile, chmod, mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { PromptEnvelope } from "./prompt-envelope.js";

/** In a directory of its own: the sandbox shows the agent that directory (read-only), not the session's. */
export function promptDirPath(sessionDir: string): string {
  return join(sessionDir, "prompt");
}

export function promptFilePath(sessionDir: string): string {
  return join(promptDirPath(sessionDir), "prompt.json");
}

/** Replaces the prompt file in one step: the agent never reads half an envelope. */
export async function writePromptFile(sessionDir: string, envelope: PromptEnvelope): Promise<void> {
  const path = promptFilePath(sessionDir);
  await mkdir(promptDirPath(sessionDir), { recursive: true, mode: 0o755 });
  await writeFile(`${path}.tmp`, `${JSON.stringify(envelope, null, 2)}\n`);
  await chmod(`${path}.tmp`, 0o644); // read by the sandbox uid, whatever devflow's umask
  await rename(`${path}.tmp`, path);
}

export async function wasPasted(sessionDir: string, dedupKey: string): Promise<boolean> {
  const pasted = await readFile(join(sessionDir, "pasted-prompts"), "utf8").catch(() => "");
  return pasted.split("\n").includes(dedupKey);
}

export async function recordPasted(sessionDir: string, dedupKey: string): Promise<void> {
  await appendFile(join(sessionDir, "pasted-prompts"), `${dedupKey}\n`);
}

/**
 * The prompt as pasted: control characters other than tab and newline removed, so text in the prompt
 * (say an issue body holding ESC[201~) can neither end the bracketed paste early nor submit it.
 */
export function pasteText(instructions: string): string {
  return (
    instructions
      .replace(/\r\n?/g, "\n")
      // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
      .replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, "")
      .trimEnd()
  );
}
