// How the dashboard answers: its security headers on every page, and a small form body read with a cap.
import type { IncomingMessage, ServerResponse } from "node:http";

export function send(
  response: ServerResponse,
  status: number,
  body: string,
  headers: Record<string, string | string[]> = {},
) {
  response.writeHead(status, {
    "content-type": "text/html; charset=utf-8",
    "cache-control": "no-store",
    "x-frame-options": "DENY",
    "content-security-policy":
      "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; connect-src 'self'; form-action 'self' https: http:; frame-ancestors 'none'",
    "referrer-policy": "same-origin",
    ...headers,
  });
  response.end(body);
}

export async function readForm(request: IncomingMessage): Promise<URLSearchParams> {
  let size = 0;
  const parts: Buffer[] = [];
  for await (const part of request) {
    size += (part as Buffer).length;
    if (size > 16 * 1024) throw new Error("form too large");
    parts.push(part as Buffer);
  }
  return new URLSearchParams(Buffer.concat(parts).toString("utf8"));
}
