// Text cut to a byte cap on a character boundary, with a note saying what was left out: how devflow
// bounds what it stores of prompts, reports and transcripts.

/** `text` within `maxBytes` (note included); `note(omitted)` says how many bytes were left out and why. */
export function cutToBytes(text: string, maxBytes: number, note: (omittedBytes: number) => string): string {
  const bytes = Buffer.byteLength(text);
  if (bytes <= maxBytes) return text;
  const room = maxBytes - Buffer.byteLength(note(bytes));
  let cut = Buffer.from(text).subarray(0, Math.max(room, 0)).toString("utf8");
  if (cut.endsWith("\uFFFD")) cut = cut.slice(0, -1);
  return `${cut}${note(bytes - Buffer.byteLength(cut))}`;
}
