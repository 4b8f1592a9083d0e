// The operator's console (`leonet serve`, /dashboard/): sign in with an API token (checked by
// GET /v1/me, kept in this tab's sessionStorage), then read the live registry through the REST
// API's own routes and act through them, with the caller's own permissions.
import { Api, RequestError, type Me } from "./api";
import { clearToken, loadToken, saveToken } from "./session";
import { auditView, incidentsView, policiesView, suspensionsView, terminalsView, type Context } from "./views";

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

// What tests wait for, in the DOM (the page's CSP forbids the eval a script predicate needs):
// <body data-refreshes="N"> once the views have been read N times since sign-in.
let refreshes = 0;

function say(text: string): void {
  const box = $("message");
  box.textContent = text;
  box.hidden = text === "";
}

function text(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

const VIEWS = { terminals: terminalsView, policies: policiesView, incidents: incidentsView,
  suspensions: suspensionsView, audit: auditView } as const;

async function refresh(ctx: Context): Promise<void> {
  await Promise.all(Object.entries(VIEWS).map(async ([id, view]) => {
    try {
      $(id).replaceChildren(await view(ctx));
    } catch (err) {
      $(id).replaceChildren(document.createTextNode(text(err)));
    }
  }));
  refreshes += 1;
  document.body.dataset.refreshes = String(refreshes);
}

function signOut(): void {
  clearToken();
  location.reload();
}

async function signIn(token: string): Promise<void> {
  const api = new Api(token);
  let me: Me;
  try {
    me = await api.get<Me>("/v1/me");
  } catch (err) {
    clearToken();
    say(err instanceof RequestError && err.status === 401 ? `Sign-in refused: ${err.message}` : text(err));
    return;
  }
  saveToken(token);
  say("");
  $("login").hidden = true;
  $("session").hidden = false;
  $("views").hidden = false;
  $("who").textContent = `${me.subject} (${me.role})`;
  const reason = $<HTMLInputElement>("reason");
  const ctx: Context = {
    me, api,
    reason: () => reason.value.trim(),
    act: (what, run) => {
      void run().then(() => {
        $("status").textContent = `${what}: done`;
        say("");
      }, (err: unknown) => say(`${what}: ${text(err)}`)).then(() => refresh(ctx));
    },
  };
  $("refresh").addEventListener("click", () => void refresh(ctx));
  await refresh(ctx);
}

function main(): void {
  $("logout").addEventListener("click", signOut);
  $("login").addEventListener("submit", (event) => {
    event.preventDefault();
    const input = $<HTMLInputElement>("token");
    const token = input.value.trim();
    input.value = "";
    void signIn(token);
  });
  const kept = loadToken();
  if (kept) void signIn(kept);
}

main();
