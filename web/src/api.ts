// The REST client of the console: every call carries the tab's token in an
// Authorization header; a 401 anywhere ends the session.

const tokenKey = 'weir.token';

/** The signed-in token, kept for this tab only (sessionStorage). */
export const session = {
  token(): string | null {
    return sessionStorage.getItem(tokenKey);
  },
  signIn(token: string) {
    sessionStorage.setItem(tokenKey, token.trim());
  },
  signOut() {
    sessionStorage.removeItem(tokenKey);
  },
};

/** An error answer of the API: Losant's {type, message}. */
export class ApiError extends Error {
  constructor(
    public status: number,
    public type: string,
    message: string,
  ) {
    super(message);
  }
}

type Ended = (message: string) => void;
let onSessionEnded: Ended = () => {};

/** Sets what happens when the API refuses the token (401). */
export function whenSessionEnds(f: Ended) {
  onSessionEnded = f;
}

export const sessionEndedMessage =
  'Your session ended: the token was revoked or deleted, or it expired. Sign in with a valid token.';

function headers(json: boolean): Record<string, string> {
  const h: Record<string, string> = { Accept: 'application/json' };
  const t = session.token();
  if (t) h.Authorization = 'Bearer ' + t;
  if (json) h['Content-Type'] = 'application/json';
  return h;
}

async function failure(res: Response): Promise<ApiError> {
  let type = 'Error';
  let message = `${res.status} ${res.statusText}`;
  try {
    const body = await res.json();
    if (body && typeof body.message === 'string') {
      type = body.type || type;
      message = body.message;
    }
  } catch {
    // not JSON: keep the status line
  }
  const err = new ApiError(res.status, type, message);
  if (res.status === 401) onSessionEnded(sessionEndedMessage);
  return err;
}

/** Calls the API and returns the decoded JSON answer. */
export async function api<T = any>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(path, {
    method,
    headers: headers(body !== undefined),
    body: body === undefined ? undefined : JSON.stringify(body),
    cache: 'no-store',
  });
  if (!res.ok) throw await failure(res);
  const text = await res.text();
  return (text ? JSON.parse(text) : null) as T;
}

/** Checks a token without keeping it: resolves, or rejects with the reason. */
export async function checkToken(token: string): Promise<void> {
  const res = await fetch('/specs', { headers: { Authorization: 'Bearer ' + token.trim() }, cache: 'no-store' });
  if (res.ok) return;
  if (res.status === 401) throw new Error('This token is not valid: it is malformed, revoked, deleted or expired.');
  throw new Error(`The server refused the token (${res.status}).`);
}

/**
 * Reads a Server-Sent Events stream with fetch, which, unlike EventSource,
 * can send the Authorization header, so that the token never appears in a
 * URL. Resolves when the stream ends; rejects on an HTTP error.
 */
export async function stream(path: string, onEvent: (data: string) => void, signal: AbortSignal): Promise<void> {
  const res = await fetch(path, { headers: { ...headers(false), Accept: 'text/event-stream' }, signal, cache: 'no-store' });
  if (!res.ok) throw await failure(res);
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buf = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buf += value;
    let end: number;
    while ((end = buf.indexOf('\n\n')) >= 0) {
      const block = buf.slice(0, end);
      buf = buf.slice(end + 2);
      const data = block
        .split('\n')
        .filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(5).replace(/^ /, ''))
        .join('\n');
      if (data) onEvent(data);
    }
  }
}

/** One page of a Losant list answer. */
export interface List<T> {
  items: T[];
  count: number;
  totalCount: number;
}

export interface Application {
  id: string;
  name: string;
  description?: string;
  creationDate: string;
  lastUpdated: string;
}

export interface Flow {
  id: string;
  applicationId: string;
  name: string;
  description?: string;
  enabled: boolean;
  flowClass: string;
  lastUpdated: string;
  triggers: any[];
  nodes: any[];
  [k: string]: any;
}

export interface Field {
  name: string;
  path: string;
  kind: string;
  default?: string;
  enum?: string[];
  required?: boolean;
  doc?: string;
}

export interface Spec {
  type: string;
  name: string;
  category: string;
  summary: string;
  outputs: string[];
  fields: Field[];
}

export interface Specs {
  nodes: Spec[];
  triggers: Spec[];
}

let specsPromise: Promise<Specs> | null = null;

/** The node and trigger types of the server, read once per page load. */
export function specs(): Promise<Specs> {
  if (!specsPromise) {
    specsPromise = api<Specs>('GET', '/specs');
    specsPromise.catch(() => (specsPromise = null));
  }
  return specsPromise;
}

export const appPath = (appId: string) => `/applications/${appId}`;
export const flowPath = (appId: string, flowId: string) => `/applications/${appId}/flows/${flowId}`;
