// GitHub's own OpenAPI description (@octokit/openapi) as a response checker: finds the operation a request
// hit (method + path template) and validates a body against that operation's schema for the status, so
// the simulator cannot drift from GitHub. Webhook payloads are checked against the description's
// `x-webhooks` request bodies.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";

// ajv-formats is CommonJS; under NodeNext its default export is the module object.
const addFormats = addFormatsModule.default;

/** Which description: api.github.com, or GitHub Enterprise Server (the newest the package ships). */
export type OpenApiFlavor = "api.github.com" | "ghes-3.19";

export interface ResponseCheck {
  ok: boolean;
  operationId: string | undefined;
  /** Where the schema came from: the operation's documented response, or GitHub's generic error shape. */
  schemaSource: "operation" | "generic-error" | "none";
  errors: string[];
}

type Json = Record<string, unknown>;
interface Operation {
  operationId: string;
  template: string;
  responses: Record<string, Json>;
}

const ROOT_ID = "github.json";
const cache = new Map<OpenApiFlavor, GitHubOpenApi>();

/** The description of one flavor, loaded once per process (the files are 11–13 MB). */
export function loadOpenApi(flavor: OpenApiFlavor = "api.github.com"): GitHubOpenApi {
  let api = cache.get(flavor);
  if (!api) {
    const require = createRequire(import.meta.url);
    const file = require.resolve(`@octokit/openapi/generated/${flavor}.json`);
    api = new GitHubOpenApi(JSON.parse(readFileSync(file, "utf8")) as Json);
    cache.set(flavor, api);
  }
  return api;
}

export class GitHubOpenApi {
  readonly version: string;
  private readonly ajv: Ajv;
  private readonly operations: { method: string; regex: RegExp; op: Operation }[] = [];
  private readonly compiled = new Map<string, ValidateFunction>();
  private readonly doc: Json;

  constructor(doc: Json) {
    this.doc = doc;
    this.version = String((doc.info as Json).version);
    this.ajv = new Ajv({ strict: false, allErrors: true, logger: false, validateSchema: false });
    addFormats(this.ajv);
    this.ajv.addFormat("int64", { type: "number", validate: Number.isInteger });
    this.ajv.addFormat("int32", { type: "number", validate: Number.isInteger });
    this.ajv.addFormat("uri-template", true);
    this.ajv.addSchema({ $id: ROOT_ID, components: normalize(doc.components) }, ROOT_ID);
    for (const [template, item] of Object.entries(doc.paths as Record<string, Json>)) {
      const regex = new RegExp(
        `^${template.replace(/\{[^}]+\}/g, (p) => (p === "{path}" ? ".+" : "[^/]+"))}$`,
      );
      for (const [method, value] of Object.entries(item)) {
        const op = value as Json;
        if (!op.responses) continue;
        const operation = { operationId: String(op.operationId), template, responses: op.responses as never };
        this.operations.push({ method: method.toUpperCase(), regex, op: operation });
      }
    }
    // Literal segments win over parameters (`/repos/{o}/{r}/issues/comments` before `/issues/{n}`).
    this.operations.sort((a, b) => paramCount(a.op.template) - paramCount(b.op.template));
  }

  /** The operation GitHub documents for a request path (no query, no /api/v3 prefix). */
  findOperation(method: string, path: string): { operationId: string; template: string } | undefined {
    const found = this.operations.find((o) => o.method === method.toUpperCase() && o.regex.test(path));
    return found && { operationId: found.op.operationId, template: found.op.template };
  }

  hasOperation(method: string, template: string): boolean {
    return this.operations.some((o) => o.method === method.toUpperCase() && o.op.template === template);
  }

  /**
   * Validates a JSON response body against the schema the operation documents for `status`. A status the
   * operation does not document (GitHub's 401s, most 422s) is checked against GitHub's generic error body.
   */
  validateResponse(method: string, path: string, status: number, body: unknown): ResponseCheck {
    const found = this.operations.find((o) => o.method === method.toUpperCase() && o.regex.test(path));
    if (!found) return { ok: false, operationId: undefined, schemaSource: "none", errors: ["no operation"] };
    const { op } = found;
    const documented = this.responseSchema(op.responses[String(status)]);
    if (documented) return this.check(`${op.operationId}:${status}`, documented, body, op.operationId);
    if (status >= 400) {
      const schema = {
        $ref: `${ROOT_ID}#/components/schemas/${status === 422 ? "validation-error" : "basic-error"}`,
      };
      const result = this.check(`generic:${status}`, schema, body, op.operationId);
      return { ...result, schemaSource: "generic-error" };
    }
    const declared = op.responses[String(status)];
    if (declared && !this.responseSchema(declared)) {
      return { ok: true, operationId: op.operationId, schemaSource: "none", errors: [] };
    }
    return {
      ok: false,
      operationId: op.operationId,
      schemaSource: "none",
      errors: [`status ${status} undocumented`],
    };
  }

  /** Validates a body against one of the description's component schemas (e.g. `basic-error`). */
  validateComponent(name: string, body: unknown): ResponseCheck {
    return this.check(`component:${name}`, { $ref: `${ROOT_ID}#/components/schemas/${name}` }, body, name);
  }

  /** Validates a webhook body against `x-webhooks` (`issues` + `labeled` → `issues-labeled`). */
  validateWebhook(event: string, action: string | undefined, payload: unknown): ResponseCheck {
    const key = [event, action].filter(Boolean).join("-").replaceAll("_", "-");
    const hooks = this.doc["x-webhooks"] as Record<string, { post: Json }>;
    const post = hooks[key]?.post;
    const body = post?.requestBody as Json | undefined;
    const content = body?.content as Record<string, Json> | undefined;
    const schema = content?.["application/json"]?.schema;
    if (!schema)
      return { ok: false, operationId: undefined, schemaSource: "none", errors: [`no webhook ${key}`] };
    return this.check(`webhook:${key}`, rewriteRefs(normalize(schema)), payload, key);
  }

  private responseSchema(response: Json | undefined): unknown {
    let res = response;
    while (res && typeof res.$ref === "string") res = this.pointer(res.$ref) as Json;
    const content = res?.content as Record<string, Json> | undefined;
    const schema = content?.["application/json"]?.schema;
    return schema === undefined ? undefined : rewriteRefs(normalize(schema));
  }

  private pointer(ref: string): unknown {
    let node: unknown = this.doc;
    for (const part of ref.replace(/^#\//, "").split("/")) {
      node = (node as Json)[part.replaceAll("~1", "/").replaceAll("~0", "~")];
    }
    return node;
  }

  private check(key: string, schema: unknown, body: unknown, operationId: string): ResponseCheck {
    let validate = this.compiled.get(key);
    if (!validate) {
      validate = this.ajv.compile(schema as Json);
      this.compiled.set(key, validate);
    }
    const ok = validate(body);
    return { ok, operationId, schemaSource: "operation", errors: ok ? [] : formatErrors(validate.errors) };
  }
}

function paramCount(template: string): number {
  return (template.match(/\{/g) ?? []).length;
}

function formatErrors(errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? [])
    .slice(0, 20)
    .map((e) => `${e.instancePath || "/"} ${e.message} ${JSON.stringify(e.params)}`);
}

/**
 * OpenAPI 3.0 → what ajv accepts: `nullable: true` without `type` (ajv refuses it) becomes
 * `anyOf: [null, schema]`, and a nullable `enum` gets `null` among its values.
 */
function normalize(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(normalize);
  if (!node || typeof node !== "object") return node;
  const out: Json = {};
  for (const [k, v] of Object.entries(node)) out[k] = k === "example" || k === "examples" ? v : normalize(v);
  if (out.nullable === true) {
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
    if (out.type === undefined) {
      const { nullable: _nullable, ...rest } = out;
      return { anyOf: [{ type: "null" }, rest] };
    }
  }
  return out;
}

/** Inline schemas refer to `#/components/...` of the description; point them at the registered root. */
function rewriteRefs(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(rewriteRefs);
  if (!node || typeof node !== "object") return node;
  const out: Json = {};
  for (const [k, v] of Object.entries(node)) {
    out[k] = k === "$ref" && typeof v === "string" && v.startsWith("#/") ? `${ROOT_ID}${v}` : rewriteRefs(v);
  }
  return out;
}
