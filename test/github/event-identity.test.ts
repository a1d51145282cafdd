// What makes two deliveries the same event (a replay), and what keeps two real events apart.
import { describe, expect, it } from "vitest";
import { eventIdentity } from "../../src/github/intake/event-identity.js";

const repository = { full_name: "octo/widgets" };
const labeled = (overrides: Record<string, unknown> = {}) => ({
  action: "labeled",
  repository,
  sender: { id: 1, login: "alice" },
  issue: { number: 7, updated_at: "2026-12-04T10:00:00Z" },
  label: { name: "devflow" },
  ...overrides,
});
const comment = (id: number, body = "/approve") => ({
  action: "created",
  repository,
  sender: { id: 1 },
  comment: { id, body, updated_at: "2026-12-04T10:00:00Z" },
});

describe("eventIdentity", () => {
  it("is the same for the same event, however the payload's other fields were serialized", () => {
    const payload = labeled();
    expect(eventIdentity("issues", payload)).toBe(
      eventIdentity("issues", JSON.parse(JSON.stringify(payload))),
    );
    // GitHub's other fields (e.g. the repository's star count) do not make a replay a new event.
    expect(eventIdentity("issues", labeled({ repository: { ...repository, stargazers_count: 3 } }))).toBe(
      eventIdentity("issues", payload),
    );
  });

  it.each([
    ["another issue", labeled({ issue: { number: 8, updated_at: "2026-12-04T10:00:00Z" } })],
    ["another label", labeled({ label: { name: "bug" } })],
    ["a later change of the issue", labeled({ issue: { number: 7, updated_at: "2026-12-04T10:05:00Z" } })],
    ["another sender", labeled({ sender: { id: 2, login: "bob" } })],
    ["the label removed", labeled({ action: "unlabeled" })],
  ])("tells a label change on %s apart", (_, other) => {
    expect(eventIdentity("issues", other)).not.toBe(eventIdentity("issues", labeled()));
  });

  it("identifies a comment by its id, an edit by its id and time", () => {
    expect(eventIdentity("issue_comment", comment(5))).toBe(
      eventIdentity("issue_comment", comment(5, "other")),
    );
    expect(eventIdentity("issue_comment", comment(6))).not.toBe(eventIdentity("issue_comment", comment(5)));
    const edited = { ...comment(5), action: "edited" };
    const editedLater = { ...edited, comment: { id: 5, updated_at: "2026-12-04T11:00:00Z" } };
    expect(eventIdentity("issue_comment", edited)).not.toBe(eventIdentity("issue_comment", comment(5)));
    expect(eventIdentity("issue_comment", editedLater)).not.toBe(eventIdentity("issue_comment", edited));
  });

  it("takes the whole payload for events without a stable id (a check run's button)", () => {
    const press = {
      action: "requested_action",
      repository,
      check_run: { id: 9 },
      requested_action: { identifier: "approve" },
    };
    expect(eventIdentity("check_run", press)).toBe(eventIdentity("check_run", structuredClone(press)));
    expect(eventIdentity("check_run", { ...press, requested_action: { identifier: "reject" } })).not.toBe(
      eventIdentity("check_run", press),
    );
  });
});
