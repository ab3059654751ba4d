import { UsageError } from "../errors.js";
import { parseDuration, parsePositiveInt } from "../util/duration.js";
import { CONNECTION_OPTIONS, type ConnectionFlags, defaultOf } from "./options.js";

export type { ConnectionFlags };

export interface ConnectionSetup {
  reconnect: boolean;
  maxRetries?: number;
  heartbeatMs: number;
  renewAfterMs: number;
}

/** API Gateway ends every WebSocket connection after 2 hours. */
const GATEWAY_MAX_AGE_MS = 2 * 3_600_000;

/** Pure: flags → how the live connection is kept up; every bad value is exit 2. */
export function resolveConnection(flags: ConnectionFlags): ConnectionSetup {
  const heartbeatMs = parseDuration(
    flags.heartbeat ?? defaultOf(CONNECTION_OPTIONS.heartbeat),
    "--heartbeat",
  );
  const renewAfterMs = parseDuration(
    flags.renewAfter ?? defaultOf(CONNECTION_OPTIONS.renewAfter),
    "--renew-after",
  );
  if (heartbeatMs < 100) throw new UsageError("--heartbeat must be at least 100ms");
  if (renewAfterMs < 1000) throw new UsageError("--renew-after must be at least 1s");
  if (renewAfterMs >= GATEWAY_MAX_AGE_MS) {
    throw new UsageError(
      "--renew-after must be under 2h: API Gateway ends every connection at 2 hours",
    );
  }
  const kinds = CONNECTION_OPTIONS.tokenKind.choices ?? [];
  if (flags.tokenKind !== undefined && !kinds.includes(flags.tokenKind)) {
    throw new UsageError(
      `invalid --token-kind "${flags.tokenKind}": expected ${kinds.join(" or ")}`,
    );
  }
  return {
    reconnect: flags.reconnect !== false,
    maxRetries:
      flags.maxRetries !== undefined
        ? parsePositiveInt(flags.maxRetries, "--max-retries")
        : undefined,
    heartbeatMs,
    renewAfterMs,
  };
}
