import { AuthError, ConnectionError } from "../errors.js";
import { fetchJson, notJson } from "./http.js";

export interface CognitoTokens {
  accessToken: string;
  idToken: string;
  refreshToken?: string;
  /** Seconds. */
  expiresIn?: number;
}

export function cognitoEndpoint(region: string, env: Record<string, string | undefined>): string {
  return env.SCANTAIL_COGNITO_ENDPOINT || `https://cognito-idp.${region}.amazonaws.com/`;
}

/** One plain sentence per Cognito error type (InitiateAuth answers `__type` and `message`). */
export function cognitoErrorMessage(
  type: string,
  message: string,
  flow: "password" | "refresh",
): { message: string; hint?: string } {
  switch (type) {
    case "NotAuthorizedException":
      return flow === "refresh"
        ? {
            message: "the stored sign-in has expired or was revoked",
            hint: "run `scantail login` again",
          }
        : /disabled/i.test(message)
          ? { message: "this user is disabled in Insight", hint: "ask your Insight administrator" }
          : {
              message: "sign-in refused: wrong user name or password",
              hint: "check them in the Insight webportal, then run `scantail login` again",
            };
    case "UserNotFoundException":
      return {
        message: "sign-in refused: no such user for this customer",
        hint: "check the user name (your webportal e-mail) and the customer ID",
      };
    case "UserNotConfirmedException":
      return {
        message: "this user has not confirmed the account yet",
        hint: "finish the sign-up e-mail, then sign in to the webportal once",
      };
    case "PasswordResetRequiredException":
      return {
        message: "Insight requires a password reset for this user",
        hint: "reset the password in the Insight webportal, then run `scantail login`",
      };
    case "TooManyRequestsException":
    case "LimitExceededException":
      return {
        message: "too many sign-in attempts; Cognito asks to slow down",
        hint: "wait a minute and try again",
      };
    case "ResourceNotFoundException":
      return {
        message: "the sign-in service does not know this app client (wrong region or client ID)",
        hint: "check the base URL and customer ID",
      };
    case "InvalidParameterException":
      return {
        message: `sign-in request rejected as invalid: ${message}`,
        hint: flow === "password" ? "check the user name" : "run `scantail login` again",
      };
    case "PasswordHistoryPolicyViolationException":
    case "InvalidPasswordException":
      return { message: `password rejected: ${message}` };
    default:
      return { message: `sign-in failed (${type || "unknown error"}): ${message || "no details"}` };
  }
}

const CHALLENGES: Record<string, string> = {
  NEW_PASSWORD_REQUIRED: "Insight asks this user to set a new password",
  SMS_MFA: "this user signs in with an SMS code (MFA)",
  SOFTWARE_TOKEN_MFA: "this user signs in with an authenticator code (MFA)",
  MFA_SETUP: "this user must set up MFA first",
  SELECT_MFA_TYPE: "this user must choose an MFA method",
};

async function initiateAuth(
  endpoint: string,
  body: Record<string, unknown>,
  flow: "password" | "refresh",
  secrets: string[],
  signal?: AbortSignal,
): Promise<CognitoTokens> {
  const response = await fetchJson(endpoint, {
    what: flow === "password" ? "sign-in" : "token refresh",
    method: "POST",
    signal,
    secrets,
    headers: {
      "Content-Type": "application/x-amz-json-1.1",
      "X-Amz-Target": "AWSCognitoIdentityProviderService.InitiateAuth",
    },
    body: JSON.stringify(body),
  });
  const data = response.body as Record<string, unknown> | undefined;
  if (response.status >= 400) {
    if (!data || typeof data !== "object") {
      if (response.status >= 500)
        throw new ConnectionError(
          `the sign-in service answered HTTP ${response.status}; try again later`,
        );
      throw notJson("the sign-in service", response);
    }
    const type =
      String(data.__type ?? data.code ?? "")
        .split("#")
        .pop() ?? "";
    // Cognito may echo what it was sent (a refresh token, a password): never show it.
    const { message, hint } = cognitoErrorMessage(
      response.redactor.redact(type),
      response.redactor.redact(String(data.message ?? data.Message ?? "")),
      flow,
    );
    // Every Cognito error is an authentication outcome (exit 3), even "slow down".
    if (response.status >= 500 && !type) throw new ConnectionError(message, hint);
    throw new AuthError(message, hint);
  }
  if (!data || typeof data !== "object") throw notJson("the sign-in service", response);
  if (typeof data.ChallengeName === "string") {
    const what =
      CHALLENGES[data.ChallengeName] ??
      `Insight asks for an extra sign-in step (${response.redactor.redact(data.ChallengeName)})`;
    throw new AuthError(
      `${what}, which scantail cannot do`,
      "finish signing in once in the Insight webportal, then run `scantail login` again",
    );
  }
  const result = data.AuthenticationResult as Record<string, unknown> | undefined;
  if (!result || typeof result.AccessToken !== "string" || typeof result.IdToken !== "string") {
    throw new AuthError("the sign-in service answered without tokens");
  }
  const expiresIn = Number(result.ExpiresIn);
  return {
    accessToken: result.AccessToken,
    idToken: result.IdToken,
    refreshToken: typeof result.RefreshToken === "string" ? result.RefreshToken : undefined,
    expiresIn: Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn : undefined,
  };
}

export function signInWithPassword(
  endpoint: string,
  clientId: string,
  username: string,
  password: string,
  signal?: AbortSignal,
): Promise<CognitoTokens> {
  return initiateAuth(
    endpoint,
    {
      AuthFlow: "USER_PASSWORD_AUTH",
      ClientId: clientId,
      AuthParameters: { USERNAME: username, PASSWORD: password },
    },
    "password",
    [password],
    signal,
  );
}

export function refreshTokens(
  endpoint: string,
  clientId: string,
  refreshToken: string,
  signal?: AbortSignal,
): Promise<CognitoTokens> {
  return initiateAuth(
    endpoint,
    {
      AuthFlow: "REFRESH_TOKEN_AUTH",
      ClientId: clientId,
      AuthParameters: { REFRESH_TOKEN: refreshToken },
    },
    "refresh",
    [refreshToken],
    signal,
  );
}
