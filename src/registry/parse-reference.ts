/** A `name@version` reference split into its parts, or undefined if it has no `@<positive integer>` suffix. */
export function parseReference(reference: string): { name: string; version: number } | undefined {
  const match = /^(.+)@([1-9][0-9]*)$/.exec(reference);
  if (match === null || match[1] === undefined || match[2] === undefined) return undefined;
  return { name: match[1], version: Number(match[2]) };
}

export function formatReference(name: string, version: number): string {
  return `${name}@${version}`;
}
