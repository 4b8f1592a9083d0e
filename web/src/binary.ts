// Typed arrays and problem documents from the dashboard's API.

export class ApiError extends Error {}

/** The `detail` of a problem document, else the status line. */
export function problemText(status: number, body: string): string {
  try {
    const doc = JSON.parse(body) as { detail?: unknown; title?: unknown };
    if (typeof doc.detail === "string") return `${status}: ${doc.detail}`;
    if (typeof doc.title === "string") return `${status}: ${doc.title}`;
  } catch {
    // not JSON: fall through to the raw text
  }
  return `${status}: ${body.slice(0, 200) || "request failed"}`;
}

/** Shape from the server's "X-Shape" header ("241,4408,3"). */
export function parseShape(header: string | null): number[] {
  if (!header) return [];
  return header.split(",").map((s) => {
    const v = Number(s);
    if (!Number.isInteger(v) || v < 0) throw new ApiError(`bad X-Shape header: ${header}`);
    return v;
  });
}

async function ok(response: Response): Promise<Response> {
  if (!response.ok) throw new ApiError(problemText(response.status, await response.text()));
  return response;
}

export async function getJson<T>(url: string): Promise<T> {
  return (await (await ok(await fetch(url))).json()) as T;
}

export async function getArray<T extends Float32Array | Uint32Array | Uint8Array>(
  url: string,
  make: (buffer: ArrayBuffer) => T,
): Promise<{ array: T; shape: number[]; headers: Headers }> {
  const response = await ok(await fetch(url));
  return { array: make(await response.arrayBuffer()), shape: parseShape(response.headers.get("X-Shape")), headers: response.headers };
}
