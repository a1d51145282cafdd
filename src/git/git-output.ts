// git's own words for a failure (its stderr) with every secret cut out: any part
// of the auth header git might echo, and credentials inside URLs.

const MAX_OUTPUT = 4000;

export function gitOutput(error: unknown, authHeader?: string): string {
  const raw = error instanceof Error ? error.message : String(error);
  let text = raw.replace(/(\b[a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/gi, "$1***@");
  for (const secret of secretsOf(authHeader)) text = text.replaceAll(secret, "***");
  text = text.trim();
  return text.length > MAX_OUTPUT ? `…${text.slice(-MAX_OUTPUT)}` : text;
}

/** The header line, its value and its credential alone, longest first. */
function secretsOf(authHeader: string | undefined): string[] {
  if (!authHeader) return [];
  const value = authHeader.slice(authHeader.indexOf(":") + 1).trim();
  const credential = value.split(/\s+/).pop() ?? "";
  // `basic base64(user:token)`: the decoded pair and the token too (decoding never throws).
  const decoded = Buffer.from(credential, "base64").toString("utf8");
  const candidates = [
    authHeader,
    authHeader.trim(),
    value,
    credential,
    decoded,
    decoded.slice(decoded.indexOf(":") + 1),
  ];
  return [...new Set(candidates.filter((secret) => secret.length >= 8))].sort((a, b) => b.length - a.length);
}
