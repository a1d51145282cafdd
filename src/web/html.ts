// Server-rendered HTML: every interpolated value is escaped unless it is already Html (built here).
// No client build step: one stylesheet inline, readable on a phone, plain links and forms for keyboards.

export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

type Value = Html | string | number | bigint | boolean | null | undefined | readonly Value[];

function render(value: Value): string {
  if (value === null || value === undefined || value === false) return "";
  if (value instanceof Html) return value.text;
  if (Array.isArray(value)) return value.map(render).join("");
  return escapeHtml(String(value));
}

/** html`<p>${text}</p>`: the values are escaped, Html values kept. */
export function html(strings: TemplateStringsArray, ...values: Value[]): Html {
  let out = strings[0] ?? "";
  values.forEach((value, index) => {
    out += render(value) + (strings[index + 1] ?? "");
  });
  return new Html(out);
}

const STYLE = `
:root{color-scheme:light dark;font-family:system-ui,sans-serif;line-height:1.4}
body{margin:0 auto;max-width:72rem;padding:0.75rem}
header{display:flex;flex-wrap:wrap;gap:0.75rem;align-items:center;border-bottom:1px solid #8884;padding-bottom:0.5rem}
header nav{display:flex;gap:0.75rem;flex:1}
a:focus,button:focus,input:focus,select:focus{outline:3px solid #2563eb;outline-offset:2px}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:0.35rem 0.5rem;border-bottom:1px solid #8883;vertical-align:top}
.table-wrap{overflow-x:auto}
.notice{border:1px solid #d97706;background:#d9770622;padding:0.5rem 0.75rem;border-radius:4px}
.error{border:1px solid #dc2626;background:#dc262622;padding:0.5rem 0.75rem;border-radius:4px}
.state{font-weight:600}
pre{white-space:pre-wrap;word-break:break-word;background:#8881;padding:0.5rem;border-radius:4px;max-height:32rem;overflow:auto}
form.inline{display:inline-flex;gap:0.35rem;flex-wrap:wrap;margin:0.25rem 0.5rem 0.25rem 0}
button{padding:0.4rem 0.8rem;font-size:1rem}
input,select{font-size:1rem;padding:0.3rem}
.filters{display:flex;flex-wrap:wrap;gap:0.5rem;align-items:end;margin:0.75rem 0}
.filters label{display:flex;flex-direction:column;font-size:0.85rem}
details{margin:0.5rem 0}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:0.2rem 0.75rem}dl.facts dd{margin:0}
code{word-break:break-all}.failed{color:#dc2626;font-weight:600}
`;

export interface PageUser {
  login: string;
  csrfToken: string;
}

export function page(options: { title: string; user?: PageUser; banner?: Html; body: Html }): string {
  const { title, user, banner, body } = options;
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${title} · devflow</title><style>${new Html(STYLE)}</style></head>
<body><header><strong><a href="/">devflow</a></strong><nav><a href="/">Runs</a><a href="/hosts">Hosts</a></nav>
${
  user
    ? html`<span>Signed in as <strong>${user.login}</strong></span>
<form class="inline" method="post" action="/sign-out"><input type="hidden" name="csrf" value="${user.csrfToken}"><button>Sign out</button></form>`
    : ""
}</header>
${banner ?? ""}
<main>${body}</main></body></html>`.text;
}
