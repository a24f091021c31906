// The JSON API client: the same public API integrators use. Keeps the session (tokens) in
// localStorage so a reload does not sign out, refreshes the access token before it expires, and
// sends the person back to sign-in on a 401 with their place remembered.
'use strict';

const KEY = 'bsn.session';
const RETURN_KEY = 'bsn.return';
// Refresh when less than this much of the access token's life is left.
const REFRESH_MARGIN_MS = 60 * 1000;

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.message) || `The server answered ${status}.`);
    this.status = status;
    this.code = body && body.error_code;
    this.fields = (body && body.details && body.details.validation_errors) || [];
    this.body = body;
  }
}

export function session() {
  try {
    return JSON.parse(window.localStorage.getItem(KEY) || 'null');
  } catch (_) {
    return null;
  }
}

function store(tokens, user) {
  const previous = session() || {};
  const next = {
    access: tokens.access_token,
    refresh: tokens.refresh_token,
    expiresAt: Date.now() + (tokens.expires_in || 0) * 1000,
    user: user || previous.user || null,
  };
  window.localStorage.setItem(KEY, JSON.stringify(next));
  return next;
}

export function setUser(user) {
  const current = session();
  if (current) {
    current.user = user;
    window.localStorage.setItem(KEY, JSON.stringify(current));
  }
}

export function clearSession() {
  window.localStorage.removeItem(KEY);
}

export function rememberPlace(hash) {
  if (hash && !hash.startsWith('#/signin')) {
    window.sessionStorage.setItem(RETURN_KEY, hash);
  }
}

export function takePlace() {
  const hash = window.sessionStorage.getItem(RETURN_KEY);
  window.sessionStorage.removeItem(RETURN_KEY);
  return hash;
}

let refreshing = null;

async function refresh() {
  const current = session();
  if (!current || !current.refresh) {
    return false;
  }
  if (!refreshing) {
    refreshing = fetch('/api/v1/auth/refresh', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ refresh_token: current.refresh }),
    }).then(async (response) => {
      if (!response.ok) {
        return false;
      }
      store(await response.json());
      return true;
    }).catch(() => false).finally(() => { refreshing = null; });
  }
  return refreshing;
}

function signedOut() {
  rememberPlace(window.location.hash);
  clearSession();
  window.location.hash = '#/signin';
}

/**
 * Calls the API. Resolves with the parsed JSON (or null for an empty body); rejects with an
 * ApiError carrying the envelope. A 401 tries one refresh, then signs out.
 */
export async function api(method, path, body, options) {
  const opts = options || {};
  let current = session();
  if (current && !opts.anonymous && current.expiresAt - Date.now() < REFRESH_MARGIN_MS) {
    await refresh();
    current = session();
  }
  const send = () => {
    const headers = { Accept: opts.accept || 'application/json' };
    const token = session() && session().access;
    if (token && !opts.anonymous) {
      headers.Authorization = `Bearer ${token}`;
    }
    const init = { method, headers };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    return fetch(`/api/v1${path}`, init);
  };
  let response;
  try {
    response = await send();
  } catch (_) {
    throw new ApiError(0, { message: 'The server cannot be reached. Check the connection and try again.' });
  }
  if (response.status === 401 && !opts.anonymous && current) {
    if (await refresh()) {
      response = await send();
    }
    if (response.status === 401) {
      signedOut();
      throw new ApiError(401, await parse(response));
    }
  }
  if (opts.raw) {
    if (!response.ok) {
      throw new ApiError(response.status, await parse(response));
    }
    return response;
  }
  const parsed = await parse(response);
  if (!response.ok) {
    throw new ApiError(response.status, parsed);
  }
  return parsed;
}

async function parse(response) {
  const text = await response.text();
  if (!text) {
    return null;
  }
  try {
    return JSON.parse(text);
  } catch (_) {
    return { message: text.slice(0, 200) };
  }
}

export async function signIn(username, password) {
  const tokens = await api('POST', '/auth/login', { username, password }, { anonymous: true });
  store(tokens);
  const user = await api('GET', '/auth/me');
  setUser(user);
  return { user, mustChange: Boolean(tokens.password_change_required || user.must_change_password) };
}

export async function signOut() {
  try {
    await api('POST', '/auth/logout');
  } catch (_) {
    // Signing out locally is what matters; the server ends the tokens when it can.
  }
  clearSession();
}

/** Keeps the session fresh while a page is open (a long quiz must not expire mid-answer). */
export function keepFresh() {
  window.setInterval(() => {
    const current = session();
    if (current && current.expiresAt - Date.now() < REFRESH_MARGIN_MS * 2) {
      refresh();
    }
  }, 30 * 1000);
}
