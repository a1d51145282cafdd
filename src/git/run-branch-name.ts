import { DevflowError } from "../errors/index.js";

export interface RunBranchNameInput {
  runId: string;
  issueNumber?: number;
  /** The issue's title; untrusted text, reduced to a slug. */
  title?: string;
}

const MAX_SLUG = 40;

/**
 * The run's branch (DESIGN §3): `devflow/<issue>-<slug>` for a run on an issue, else `devflow/<runId>`.
 * The slug is lowercase ASCII words joined by `-`, at most 40 characters, cut at a word boundary when it
 * can be, and `issue` when the title gives nothing. The result is always a valid git branch name.
 */
export function runBranchName({ runId, issueNumber, title }: RunBranchNameInput): string {
  if (issueNumber !== undefined) {
    if (!Number.isSafeInteger(issueNumber) || issueNumber <= 0) {
      throw new DevflowError(`Issue number ${issueNumber} is not a positive whole number.`, {
        code: "invalid_branch_name",
        details: { issueNumber },
      });
    }
    return `devflow/${issueNumber}-${slugify(title ?? "", MAX_SLUG) || "issue"}`;
  }
  return `devflow/${slugify(runId, 64) || "run"}`;
}

function slugify(text: string, max: number): string {
  const words = text
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "") // accents, split off by NFKD
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word !== "");
  let slug = "";
  for (const word of words) {
    const next = slug === "" ? word : `${slug}-${word}`;
    if (next.length > max) {
      // A first word longer than the limit is cut; later words are left out whole.
      if (slug === "") slug = word.slice(0, max);
      break;
    }
    slug = next;
  }
  return slug;
}
