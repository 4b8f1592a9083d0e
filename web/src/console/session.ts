// Where the token lives between page loads: this tab's sessionStorage (gone when the tab
// closes), never a cookie, never the URL.
const KEY = "leonet.console.token";

export function loadToken(store: Storage = sessionStorage): string | null {
  return store.getItem(KEY);
}

export function saveToken(token: string, store: Storage = sessionStorage): void {
  store.setItem(KEY, token);
}

export function clearToken(store: Storage = sessionStorage): void {
  store.removeItem(KEY);
}
