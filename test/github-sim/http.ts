// HTTP plumbing shared by the routes: GitHub's error bodies, request bodies, pagination links.
import type { IncomingMessage } from "node:http";

export const DOCS_URL = "https://docs.github.com/rest";

/** What a route answers; `raw` is sent as-is (raw media type), otherwise `body` as JSON. */
export interface ApiResponse {
  status: number;
  body?: unknown;
  raw?: string;
  headers?: Record<string, string>;
}

/** A GitHub error response: `{ message, documentation_url, status }`, plus `errors` on a 422. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra: { errors?: unknown[]; headers?: Record<string, string> } = {},
  ) {
    super(message);
  }

  toResponse(): ApiResponse {
    const body: Record<string, unknown> = {
      message: this.message,
      documentation_url: DOCS_URL,
      status: String(this.status),
    };
    if (this.extra.errors) body.errors = this.extra.errors;
    return { status: this.status, body, headers: this.extra.headers ?? {} };
  }
}

export const notFound = () => new ApiError(404, "Not Found");

/** GitHub's 422 with one `errors` entry, as its validation failures look. */
export function validationFailed(resource: string, field: string, code = "invalid", message?: string) {
  const error: Record<string, string> = { resource, field, code };
  if (message) error.message = message;
  return new ApiError(422, "Validation Failed", { errors: [error] });
}

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Parses a JSON request body; GitHub answers malformed JSON with 400 "Problems parsing JSON". */
export function parseJsonBody(raw: Buffer): unknown {
  if (raw.length === 0) return undefined;
  try {
    return JSON.parse(raw.toString("utf8"));
  } catch {
    throw new ApiError(400, "Problems parsing JSON");
  }
}

/** The request body as an object, or a 422 naming what was wrong. */
export function bodyObject(body: unknown): Record<string, unknown> {
  if (body === undefined) return {};
  if (!body || typeof body !== "object" || Array.isArray(body)) {
    throw new ApiError(422, "Invalid request.\n\nThe request body must be a JSON object.");
  }
  return body as Record<string, unknown>;
}

export function optionalString(body: Record<string, unknown>, key: string): string | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") {
    throw new ApiError(
      422,
      `Invalid request.\n\nFor 'properties/${key}', ${JSON.stringify(value)} is not a string.`,
    );
  }
  return value;
}

export function requiredString(body: Record<string, unknown>, key: string): string {
  const value = optionalString(body, key);
  if (value === undefined) throw new ApiError(422, `Invalid request.\n\n"${key}" wasn't supplied.`);
  return value;
}

/**
 * One page of a list with GitHub's `Link` header (`per_page` ≤ 100, default 30, `page` from 1), so
 * Octokit's paginate walks it exactly as it walks GitHub.
 */
export function paginate<T>(items: T[], query: URLSearchParams, selfUrl: string): ApiResponse {
  const perPage = Math.min(100, Math.max(1, Number(query.get("per_page") ?? 30) || 30));
  const page = Math.max(1, Number(query.get("page") ?? 1) || 1);
  const last = Math.max(1, Math.ceil(items.length / perPage));
  const link = (p: number) => {
    const url = new URL(selfUrl);
    url.searchParams.set("per_page", String(perPage));
    url.searchParams.set("page", String(p));
    return url.toString();
  };
  const rels: string[] = [];
  if (page > 1) rels.push(`<${link(page - 1)}>; rel="prev"`, `<${link(1)}>; rel="first"`);
  if (page < last) rels.push(`<${link(page + 1)}>; rel="next"`, `<${link(last)}>; rel="last"`);
  const headers: Record<string, string> = rels.length > 0 ? { link: rels.join(", ") } : {};
  return { status: 200, body: items.slice((page - 1) * perPage, page * perPage), headers };
}

export function isoNow(date = new Date()): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}
