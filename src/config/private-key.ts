// The GitHub App private key, from PRIVATE_KEY (text) or PRIVATE_KEY_PATH (a file).
// Every message here is written without the key: a key is a secret, so is any part of it.

import { createPrivateKey } from "node:crypto";
import { readFileSync } from "node:fs";

export type PrivateKeyResult = { ok: true; pem: string } | { ok: false; problem: string };

const PEM_HINT = "the contents of the .pem file GitHub generated for the app, BEGIN and END lines included";

/**
 * Turns PRIVATE_KEY's text into PEM the way Probot (@probot/get-private-key) does: a one-line value
 * with newlines written as `\n` is unescaped, and a base64-encoded PEM is decoded.
 */
export function decodePrivateKey(text: string): string {
  let pem = text.includes("\\n") ? text.replace(/\\n/g, "\n") : text;
  if (!pem.includes("-----BEGIN") && /^[A-Za-z0-9+/=\s]+$/.test(pem)) {
    const decoded = Buffer.from(pem, "base64").toString("utf8");
    if (decoded.includes("-----BEGIN")) pem = decoded;
  }
  return `${pem.trim()}\n`;
}

const ENCRYPTED = "is encrypted with a passphrase, which devflow cannot use";

/** Why `pem` cannot sign GitHub App tokens, or undefined when it can. Never quotes the key. */
export function privateKeyDefect(pem: string): string | undefined {
  if (!pem.includes("-----BEGIN")) return "has no -----BEGIN line, so it is not PEM text";
  if (/-----BEGIN (?:PUBLIC KEY|RSA PUBLIC KEY|CERTIFICATE)-----/.test(pem)) {
    return "holds a public key or certificate, not the private key";
  }
  if (pem.includes("-----BEGIN ENCRYPTED PRIVATE KEY-----") || pem.includes("Proc-Type: 4,ENCRYPTED")) {
    return ENCRYPTED;
  }
  if (pem.includes("-----BEGIN OPENSSH PRIVATE KEY-----")) {
    return "holds an OpenSSH key, not a GitHub App key";
  }
  try {
    const key = createPrivateKey({ key: pem, format: "pem" });
    if (key.asymmetricKeyType !== "rsa") {
      return `holds a key of type ${key.asymmetricKeyType ?? "unknown"}; GitHub App keys are RSA keys`;
    }
    return undefined;
  } catch (error) {
    // The crypto error is not kept: only its code is read, so nothing of the key can leak through it.
    const code = (error as { code?: unknown }).code;
    if (typeof code === "string" && /PASSPHRASE|ENCRYPTED/i.test(code)) {
      return ENCRYPTED;
    }
    return "is not a readable PEM private key";
  }
}

/** PRIVATE_KEY: the key itself. */
export function parsePrivateKeyText(text: string): PrivateKeyResult {
  const pem = decodePrivateKey(text);
  const defect = privateKeyDefect(pem);
  if (defect === undefined) return { ok: true, pem };
  return {
    ok: false,
    problem:
      `PRIVATE_KEY: ${defect} (value hidden: it is a secret). Set PRIVATE_KEY to ${PEM_HINT}; ` +
      "on one line, write each newline as \\n (or base64-encode the whole file), or use PRIVATE_KEY_PATH instead.",
  };
}

/** PRIVATE_KEY_PATH: a file holding the key. `shown` is how the path is quoted in messages. */
export function readPrivateKeyFile(path: string, shown: string): PrivateKeyResult {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const reason =
      code === "ENOENT"
        ? "no such file"
        : code === "EISDIR"
          ? "it is a directory, not a file"
          : code === "EACCES" || code === "EPERM"
            ? "permission denied"
            : `error ${typeof code === "string" ? code : "reading it"}`;
    return {
      ok: false,
      problem:
        `PRIVATE_KEY_PATH: cannot read ${shown}: ${reason}. ` +
        "Set PRIVATE_KEY_PATH to the path of the app's .pem file, readable by the user devflow runs as, or use PRIVATE_KEY instead.",
    };
  }
  const pem = `${text.trim()}\n`;
  const defect = privateKeyDefect(pem);
  if (defect === undefined) return { ok: true, pem };
  return {
    ok: false,
    problem:
      `PRIVATE_KEY_PATH: the file ${shown} ${defect} (contents hidden: they may be a secret). ` +
      "Point PRIVATE_KEY_PATH at the .pem file GitHub generated for the app (its settings page, Private keys).",
  };
}
