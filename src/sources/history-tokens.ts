import type { TokenProvider } from "../auth/tokens.js";
import type { TokenKind } from "./history-page.js";

/**
 * Adapts the live feed's per-kind token providers to the history's
 * `getToken(kind, force)`: a provider per kind, made on first use (the other kind is
 * only needed when the preferred one is refused), each refreshing as it does for tail.
 */
export function historyTokenGetter(
  providerFor: (kind: TokenKind) => TokenProvider,
): (kind: TokenKind, force: boolean) => Promise<string> {
  const providers = new Map<TokenKind, TokenProvider>();
  return async (kind, force) => {
    let provider = providers.get(kind);
    if (!provider) {
      provider = providerFor(kind);
      providers.set(kind, provider);
    }
    return provider.getToken({ force });
  };
}
