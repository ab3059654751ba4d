import { UsageError } from "../errors.js";
import { parseDuration, parsePositiveInt } from "../util/duration.js";

export interface ConnectionFlags {
  url?: string;
  customer?: string;
  tokenKind?: string;
  reconnect?: boolean;
  maxRetries?: string;
  heartbeat?: string;
  renewAfter?: string;
  insecure?: boolean;
}

export interface ConnectionSetup {
  reconnect: boolean;
  maxRetries?: number;
  heartbeatMs: number;
  renewAfterMs: number;
}

export function resolveConnection(flags: ConnectionFlags): ConnectionSetup {
  const heartbeatMs = parseDuration(flags.heartbeat ?? "30s", "--heartbeat");
  const renewAfterMs = parseDuration(flags.renewAfter ?? "110m", "--renew-after");
  if (heartbeatMs < 100) throw new UsageError("--heartbeat must be at least 100ms");
  if (renewAfterMs < 1000) throw new UsageError("--renew-after must be at least 1s");
  if (renewAfterMs >= 2 * 3_600_000) {
    throw new UsageError(
      "--renew-after must be under 2h: API Gateway ends every connection at 2 hours",
    );
  }
  if (flags.tokenKind !== undefined && flags.tokenKind !== "access" && flags.tokenKind !== "id") {
    throw new UsageError(`invalid --token-kind "${flags.tokenKind}": expected access or id`);
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
