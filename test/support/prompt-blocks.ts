// The data blocks of a phase prompt (build-prompt.ts), read by the nonce its instructions announce, and
// the prompt with every block taken out: what a person or an agent wrote must only be in the blocks.
import { expect } from "vitest";

export function fencedBlocks(prompt: string) {
  const nonce = /Each block starts with "BEGIN DATA ([0-9a-f]+)"/.exec(prompt)?.[1];
  expect(nonce).toMatch(/^[0-9a-f]{12}$/);
  const blocks = [
    ...prompt.matchAll(new RegExp(`BEGIN DATA ${nonce} — ([^\\n]*)\\n([\\s\\S]*?)\\nEND DATA ${nonce}`, "g")),
  ];
  const outside = prompt.replace(new RegExp(`BEGIN DATA ${nonce}[\\s\\S]*?END DATA ${nonce}`, "g"), "");
  return { blocks: blocks.map((m) => ({ label: m[1] ?? "", text: m[2] ?? "" })), outside };
}
