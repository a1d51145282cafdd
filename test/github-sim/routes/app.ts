// The App's own endpoints (App JWT): the app, its installations, installation tokens, and the webhook
// deliveries GitHub keeps for the app (list, get, redeliver); and the manifest flow's code conversion
// (no credentials: the one-time code is the credential).
import { convertManifestCode } from "../app-manifests.js";
import { issueToken } from "../auth.js";
import { ApiError, isoNow, notFound } from "../http.js";
import type { DeliveryRecord } from "../records.js";
import { asApp, defineRoute, intParam, type Route } from "../router.js";
import { appJson, installationJson } from "../shapes.js";
import type { GitHubState } from "../state.js";

export const appRoutes: Route[] = [
  defineRoute("GET", "/app", (ctx) => {
    asApp(ctx);
    const { state } = ctx;
    const events = ["check_run", "issue_comment", "issues", "pull_request", "pull_request_review", "push"];
    return { status: 200, body: appJson(ctx.urls, state.app, state.defaultPermissions, events) };
  }),

  defineRoute("POST", "/app-manifests/{code}/conversions", (ctx) => {
    const { app, manifest, clientId, clientSecret, webhookSecret, pem } = convertManifestCode(
      ctx.state,
      String(ctx.params.code),
    );
    const permissions = (manifest.default_permissions ?? {}) as Record<string, string>;
    const events = (manifest.default_events ?? []) as string[];
    const body = {
      ...appJson(ctx.urls, app, permissions, events),
      client_id: clientId,
      client_secret: clientSecret,
      webhook_secret: webhookSecret,
      pem,
    };
    return { status: 201, body };
  }),

  defineRoute("GET", "/app/installations/{installation_id}", (ctx) => {
    asApp(ctx);
    const installation = ctx.state.installations.get(intParam(ctx, "installation_id"));
    if (!installation) throw notFound();
    return { status: 200, body: installationJson(ctx.urls, ctx.state.app, installation) };
  }),

  defineRoute("POST", "/app/installations/{installation_id}/access_tokens", (ctx) => {
    asApp(ctx);
    const installation = ctx.state.installations.get(intParam(ctx, "installation_id"));
    if (!installation) throw notFound();
    const { token, expiresAt } = issueToken(ctx.state, installation);
    const body = {
      token,
      expires_at: isoNow(expiresAt),
      permissions: installation.permissions,
      repository_selection: "all",
    };
    return { status: 201, body };
  }),

  defineRoute("GET", "/repos/{owner}/{repo}/installation", (ctx) => {
    asApp(ctx);
    const repo = ctx.state.repo(`${ctx.params.owner}/${ctx.params.repo}`);
    const installation = ctx.state.installations.get(repo.installationId);
    if (!installation) throw notFound();
    return { status: 200, body: installationJson(ctx.urls, ctx.state.app, installation) };
  }),

  defineRoute("GET", "/app/hook/deliveries", (ctx) => {
    asApp(ctx);
    // Newest first, paged by an opaque cursor (the id to continue below), as GitHub pages them.
    const perPage = Math.min(100, Math.max(1, Number(ctx.query.get("per_page") ?? 30) || 30));
    const cursor = ctx.query.get("cursor");
    if (cursor !== null && !/^\d+$/.test(cursor)) throw new ApiError(400, "Invalid cursor");
    const newestFirst = [...ctx.state.deliveries]
      .reverse()
      .filter((d) => cursor === null || d.id < Number(cursor));
    const page = newestFirst.slice(0, perPage);
    const headers: Record<string, string> = {};
    const last = page.at(-1);
    if (last && newestFirst.length > perPage) {
      const next = new URL(ctx.selfUrl);
      next.searchParams.set("per_page", String(perPage));
      next.searchParams.set("cursor", String(last.id));
      headers.link = `<${next.toString()}>; rel="next"`;
    }
    return { status: 200, body: page.map(deliveryItem), headers };
  }),

  defineRoute("GET", "/app/hook/deliveries/{delivery_id}", (ctx) => {
    asApp(ctx);
    const delivery = findDelivery(ctx.state, intParam(ctx, "delivery_id"));
    return { status: 200, body: deliveryJson(delivery) };
  }),

  defineRoute("POST", "/app/hook/deliveries/{delivery_id}/attempts", (ctx) => {
    asApp(ctx);
    const delivery = findDelivery(ctx.state, intParam(ctx, "delivery_id"));
    void ctx.webhooks.redeliver(delivery.id)?.catch(() => {});
    return { status: 202, body: {} };
  }),
];

function findDelivery(state: GitHubState, id: number): DeliveryRecord {
  const delivery = state.deliveries.find((d) => d.id === id);
  if (!delivery) throw notFound();
  return delivery;
}

function deliveryItem(delivery: DeliveryRecord) {
  return {
    id: delivery.id,
    guid: delivery.guid,
    delivered_at: delivery.deliveredAt,
    redelivery: delivery.redelivery,
    duration: delivery.duration,
    status: delivery.status,
    status_code: delivery.statusCode,
    event: delivery.event,
    action: delivery.action,
    installation_id: delivery.installationId,
    repository_id: delivery.repositoryId,
    throttled_at: null,
  };
}

function deliveryJson(delivery: DeliveryRecord) {
  let payload: unknown = null;
  try {
    payload = JSON.parse(delivery.payload);
  } catch {
    payload = null;
  }
  return {
    ...deliveryItem(delivery),
    url: delivery.target,
    request: { headers: delivery.requestHeaders, payload },
    response: { headers: delivery.responseHeaders, payload: delivery.responseBody },
  };
}
