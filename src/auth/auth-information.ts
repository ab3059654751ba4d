import { AuthError, ConfigError } from "../errors.js";
import { fetchJson, notJson } from "./http.js";

export interface AuthInformation {
  region: string;
  clientId: string;
  userPoolId?: string;
  websocketUrl?: string;
}

/** GET {baseUrl}/auth-information?id={customer}: region and app client of the customer. */
export async function getAuthInformation(
  baseUrl: string,
  customer: string,
  signal?: AbortSignal,
): Promise<AuthInformation> {
  const url = `${baseUrl.replace(/\/+$/, "")}/auth-information?id=${encodeURIComponent(customer)}`;
  const response = await fetchJson(url, {
    what: "auth-information",
    method: "GET",
    signal,
    headers: { Accept: "application/json" },
  });
  if (response.status === 404 || response.status === 400 || response.status === 403) {
    throw new AuthError(
      `the Insight API at ${new URL(url).host} does not know customer "${customer}" (HTTP ${response.status})`,
      "check the customer ID and base URL shown in the Insight webportal",
    );
  }
  if (response.status >= 400) {
    throw new AuthError(
      `auth-information answered HTTP ${response.status}`,
      "check the base URL, or try again later",
    );
  }
  if (!response.body || typeof response.body !== "object")
    throw notJson("auth-information", response);
  const body = response.body as Record<string, unknown>;
  const region = body.region;
  const clientId = body.user_pool_client_id;
  if (
    typeof region !== "string" ||
    typeof clientId !== "string" ||
    !/^[a-z]{2}(-[a-z]+)+-\d$/.test(region)
  ) {
    throw new ConfigError(
      "auth-information did not return a usable region and user_pool_client_id",
      "check the base URL: it should be the Insight API base URL shown in the webportal",
    );
  }
  return {
    region,
    clientId,
    userPoolId: typeof body.user_pool_id === "string" ? body.user_pool_id : undefined,
    websocketUrl: typeof body.websocket_url === "string" ? body.websocket_url : undefined,
  };
}
