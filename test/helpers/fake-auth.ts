import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** A JWT-shaped token (unsigned) with the given expiry, unique per call. */
let serial = 0;
export function fakeJwt(kind: string, expiresAtMs: number): string {
  serial++;
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");
  return `${b64({ alg: "RS256", kid: "k" })}.${b64({ token_use: kind, exp: Math.floor(expiresAtMs / 1000), n: serial, pad: "x".repeat(20) })}.c2lnbmF0dXJlLSR7c2VyaWFsfQ`;
}

export interface CognitoCall {
  AuthFlow: string;
  ClientId: string;
  AuthParameters: Record<string, string>;
  headers: { target?: string | string[]; type?: string };
}

export interface FakeAuth {
  baseUrl: string;
  cognitoUrl: string;
  /** Every Cognito request body, in order. */
  cognitoCalls: CognitoCall[];
  authInfoCalls: string[];
  /** Tokens handed out, newest last. */
  issued: Array<{ accessToken: string; idToken: string; refreshToken?: string }>;
  set(options: Partial<FakeAuthOptions>): void;
  close(): Promise<void>;
}

export interface FakeAuthOptions {
  customers: string[];
  users: Record<string, string>;
  /** Users for whom Cognito answers with this challenge instead of tokens. */
  challenges: Record<string, string>;
  /** Users for whom Cognito answers with this error __type. */
  errors: Record<string, string>;
  refreshError?: string;
  /** The message of that refresh error (a hostile Cognito may echo the refresh token). */
  refreshErrorMessage?: string;
  tokenLifetimeMs: number;
  websocketUrl?: string;
  authInfoRaw?: { status: number; body: string };
  cognitoRaw?: { status: number; body: string };
  /** Return a new RefreshToken on refresh (Cognito normally does not). */
  rotateRefresh: boolean;
}

function send(res: ServerResponse, status: number, body: unknown, type = "application/json") {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  res.writeHead(status, { "Content-Type": type });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<string> {
  let data = "";
  for await (const chunk of req) data += chunk;
  return data;
}

/**
 * The Insight auth-information endpoint and a Cognito InitiateAuth endpoint on loopback,
 * with the real request and response shapes of docs/insight-api.md §2 (error bodies and
 * challenges included).
 */
export async function startFakeAuth(initial: Partial<FakeAuthOptions> = {}): Promise<FakeAuth> {
  let options: FakeAuthOptions = {
    customers: ["12345"],
    users: { "worker@example.com": "correct horse battery staple" },
    challenges: {},
    errors: {},
    tokenLifetimeMs: 3_600_000,
    rotateRefresh: false,
    ...initial,
  };
  const cognitoCalls: CognitoCall[] = [];
  const authInfoCalls: string[] = [];
  const issued: FakeAuth["issued"] = [];
  const refreshTokens = new Set<string>();
  const issue = (withRefresh: boolean) => {
    const exp = Date.now() + options.tokenLifetimeMs;
    const t = {
      accessToken: fakeJwt("access", exp),
      idToken: fakeJwt("id", exp),
      refreshToken: withRefresh
        ? `refresh-${Math.random().toString(36).slice(2)}-secret`
        : undefined,
    };
    if (t.refreshToken) refreshTokens.add(t.refreshToken);
    issued.push(t);
    return {
      AuthenticationResult: {
        AccessToken: t.accessToken,
        IdToken: t.idToken,
        ...(t.refreshToken ? { RefreshToken: t.refreshToken } : {}),
        ExpiresIn: Math.round(options.tokenLifetimeMs / 1000),
        TokenType: "Bearer",
      },
      ChallengeParameters: {},
    };
  };
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    if (req.method === "GET" && url.pathname === "/auth-information") {
      authInfoCalls.push(url.search);
      if (options.authInfoRaw)
        return send(res, options.authInfoRaw.status, options.authInfoRaw.body, "text/html");
      const id = url.searchParams.get("id") ?? "";
      if (!options.customers.includes(id)) return send(res, 404, { message: "Not Found" });
      return send(res, 200, {
        "customer_id:": id,
        region: "eu-west-1",
        user_pool_client_id: "clientid123",
        user_pool_id: "eu-west-1_abc",
        ...(options.websocketUrl ? { websocket_url: options.websocketUrl } : {}),
      });
    }
    if (req.method === "POST" && url.pathname.startsWith("/cognito")) {
      const body = JSON.parse(await readBody(req));
      cognitoCalls.push({
        ...body,
        headers: { target: req.headers["x-amz-target"], type: req.headers["content-type"] },
      });
      if (options.cognitoRaw)
        return send(res, options.cognitoRaw.status, options.cognitoRaw.body, "text/html");
      if (
        req.headers["x-amz-target"] !== "AWSCognitoIdentityProviderService.InitiateAuth" ||
        req.headers["content-type"] !== "application/x-amz-json-1.1"
      ) {
        return send(res, 400, { __type: "UnknownOperationException", message: "bad headers" });
      }
      if (body.ClientId !== "clientid123")
        return send(res, 400, {
          __type: "ResourceNotFoundException",
          message: "User pool client does not exist.",
        });
      if (body.AuthFlow === "USER_PASSWORD_AUTH") {
        const { USERNAME: user, PASSWORD: password } = body.AuthParameters;
        if (options.errors[user])
          return send(res, 400, {
            __type: options.errors[user],
            message: `${options.errors[user]} for test`,
          });
        if (options.challenges[user])
          return send(res, 200, {
            ChallengeName: options.challenges[user],
            Session: "sess",
            ChallengeParameters: {},
          });
        if (!(user in options.users))
          return send(res, 400, {
            __type: "UserNotFoundException",
            message: "User does not exist.",
          });
        if (options.users[user] !== password)
          return send(res, 400, {
            __type: "NotAuthorizedException",
            message: "Incorrect username or password.",
          });
        return send(res, 200, issue(true));
      }
      if (body.AuthFlow === "REFRESH_TOKEN_AUTH") {
        if (options.refreshError)
          return send(res, 400, {
            __type: options.refreshError,
            message: options.refreshErrorMessage ?? "Refresh Token has expired",
          });
        if (!refreshTokens.has(body.AuthParameters.REFRESH_TOKEN))
          return send(res, 400, {
            __type: "NotAuthorizedException",
            message: "Invalid Refresh Token",
          });
        return send(res, 200, issue(options.rotateRefresh));
      }
      return send(res, 400, { __type: "InvalidParameterException", message: "bad flow" });
    }
    send(res, 404, { message: "Not Found" });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    cognitoUrl: `http://127.0.0.1:${port}/cognito/login`,
    cognitoCalls,
    authInfoCalls,
    issued,
    set(changes) {
      options = { ...options, ...changes };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
