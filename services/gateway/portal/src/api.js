// The portal's only way to the platform: the public GraphQL API at /graphql (and its websocket).
import { createClient } from "graphql-ws";

const TOKEN_KEY = "civic.token";
const ACCOUNT_KEY = "civic.account";

export const session = {
  token: () => sessionStorage.getItem(TOKEN_KEY),
  account: () => JSON.parse(sessionStorage.getItem(ACCOUNT_KEY) || "null"),
  save(token, account) {
    sessionStorage.setItem(TOKEN_KEY, token);
    sessionStorage.setItem(ACCOUNT_KEY, JSON.stringify(account));
  },
  clear() {
    sessionStorage.removeItem(TOKEN_KEY);
    sessionStorage.removeItem(ACCOUNT_KEY);
  },
};

/** The API's refusal: its errors, each with extensions.code and (for bad input) extensions.field. */
export class ApiError extends Error {
  constructor(errors, status) {
    super(errors.map((e) => e.message).join("；"));
    this.errors = errors;
    this.status = status;
  }
  get code() {
    return this.errors[0]?.extensions?.code;
  }
}

export async function gql(query, variables = {}, { token = session.token() } = {}) {
  const headers = { "content-type": "application/json", accept: "application/json" };
  if (token) headers.authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch("/graphql", { method: "POST", headers, body: JSON.stringify({ query, variables }) });
  } catch (error) {
    throw new ApiError([{ message: `无法连接平台：${error.message}`, extensions: { code: "NETWORK" } }], 0);
  }
  let body;
  try {
    body = await response.json();
  } catch {
    throw new ApiError([{ message: `平台返回 ${response.status}`, extensions: { code: "HTTP_" + response.status } }], response.status);
  }
  if (body.errors?.length) throw new ApiError(body.errors, response.status);
  return body.data;
}

/** fundRecoveryAlerts over graphql-transport-ws; returns a function that unsubscribes. */
export function subscribe(query, { next, error, connected }) {
  const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/graphql`;
  const client = createClient({
    url,
    connectionParams: () => ({ Authorization: `Bearer ${session.token()}` }),
    on: { connected: () => connected?.() },
    retryAttempts: 5,
  });
  const stop = client.subscribe({ query }, {
    next: (message) => (message.errors ? error?.(new ApiError(message.errors)) : next(message.data)),
    error: (e) => error?.(e instanceof Error ? e : new Error(e?.reason || "连接中断")),
    complete: () => {},
  });
  return () => { stop(); client.dispose(); };
}

/** Sign-in: how (GET /auth/config) and, in development, a token for a listed account. */
export async function authConfig() {
  const response = await fetch("/auth/config", { headers: { accept: "application/json" } });
  if (!response.ok) return { mode: "oidc", accounts: [] };
  return response.json();
}

export async function devToken(subject) {
  const response = await fetch("/auth/dev/token", {
    method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ subject }),
  });
  const body = await response.json();
  if (!response.ok) throw new ApiError(body.errors || [{ message: "登录失败" }], response.status);
  return body.token;
}

/** The signed-in token's claims (display only: the platform verifies the token, never the portal). */
export function claims() {
  const token = session.token();
  if (!token) return {};
  try {
    const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    return JSON.parse(decodeURIComponent(escape(atob(part))));
  } catch {
    return {};
  }
}

/** Where a caller starts: the city overview, the district's dashboard, or the round's work. */
export function homeFor(roles = []) {
  if (roles.includes("city_admin")) return "#/city";
  if (roles.includes("bureau_admin") || roles.includes("subdistrict_officer")) return "#/dashboard";
  return "#/round";
}

const ME = `query Me { me { subject name district roles organizationId } }`;

/**
 * Keep a token and learn who it signs in (`me`, the platform's account for the token's subject). A
 * development platform token of no account falls back to what the token itself says.
 */
export async function signIn(token, hint = {}) {
  session.save(token, hint);
  let me = null;
  try {
    me = (await gql(ME)).me;
  } catch {
    me = null;
  }
  const c = claims();
  const account = me
    ? { subject: me.subject, name: me.name, district: me.district, roles: me.roles.map((r) => r.toLowerCase()) }
    : { subject: c.sub || hint.subject, name: hint.name || c.name || c.sub, district: c.district || hint.district || null,
      roles: (c.roles || hint.roles || []).map((r) => r.toLowerCase()) };
  session.save(token, account);
  return account;
}
