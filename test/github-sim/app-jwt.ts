// GitHub App JSON web tokens (RS256): verified as GitHub does (signature with the app's key, `iss` = app
// id, not expired, `exp` at most 10 minutes ahead), and created for tests that call the App endpoints.
import { createPrivateKey, createPublicKey, type KeyObject, sign, verify } from "node:crypto";

const CLOCK_SKEW_S = 60;
const MAX_LIFETIME_S = 600;

export type JwtCheck = { ok: true } | { ok: false; message: string };

export function looksLikeJwt(credential: string): boolean {
  return /^[\w-]+\.[\w-]+\.[\w-]+$/.test(credential);
}

export function publicKeyOf(privateKeyPem: string): KeyObject {
  return createPublicKey(createPrivateKey(privateKeyPem));
}

export function verifyAppJwt(jwt: string, publicKey: KeyObject, appId: number, now = Date.now()): JwtCheck {
  const undecodable = { ok: false, message: "A JSON web token could not be decoded" } as const;
  const [head = "", body = "", signature = ""] = jwt.split(".");
  let header: { alg?: unknown };
  let claims: { iss?: unknown; iat?: unknown; exp?: unknown };
  try {
    header = JSON.parse(Buffer.from(head, "base64url").toString("utf8"));
    claims = JSON.parse(Buffer.from(body, "base64url").toString("utf8"));
  } catch {
    return undecodable;
  }
  if (header.alg !== "RS256") return undecodable;
  const signed = verify(
    "RSA-SHA256",
    Buffer.from(`${head}.${body}`),
    publicKey,
    Buffer.from(signature, "base64url"),
  );
  if (!signed) return undecodable;
  if (String(claims.iss) !== String(appId)) return { ok: false, message: "Integration not found" };
  const seconds = Math.floor(now / 1000);
  if (typeof claims.exp !== "number" || claims.exp <= seconds - CLOCK_SKEW_S) {
    return {
      ok: false,
      message:
        "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires",
    };
  }
  if (claims.exp > seconds + MAX_LIFETIME_S + CLOCK_SKEW_S) {
    return { ok: false, message: "'Expiration time' claim ('exp') is too far in the future" };
  }
  if (typeof claims.iat !== "number" || claims.iat > seconds + CLOCK_SKEW_S) {
    return {
      ok: false,
      message:
        "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued",
    };
  }
  return { ok: true };
}

/** An App JWT as Octokit makes one (issued 30 s in the past, valid 10 minutes). */
export function createAppJwt(appId: number, privateKeyPem: string, now = Date.now()): string {
  const iat = Math.floor(now / 1000) - 30;
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const unsigned = `${encode({ alg: "RS256", typ: "JWT" })}.${encode({ iat, exp: iat + MAX_LIFETIME_S, iss: appId })}`;
  const signature = sign("RSA-SHA256", Buffer.from(unsigned), createPrivateKey(privateKeyPem)).toString(
    "base64url",
  );
  return `${unsigned}.${signature}`;
}
