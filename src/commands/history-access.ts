import { createTokenProvider } from "../auth/tokens.js";
import type { ConfigStore, Profile, TokenKind } from "../config/store.js";
import type { Context } from "../context.js";
import { eventsUrl } from "../sources/history-page.js";
import type { HistoryAccess } from "../sources/history-source.js";
import { historyTokenGetter } from "../sources/history-tokens.js";

export interface HistoryAccessInput {
  baseUrl: string;
  customer: string;
  tokenKind: TokenKind;
  store: ConfigStore;
  profileName: string;
  profile: Profile;
  insecure: boolean;
}

/**
 * How this profile reads the REST event history: its base URL and customer (checked
 * now, so a bad URL fails before anything connects), a token of either kind — refreshed
 * as the live feed's is — and the Authorization spelling that worked last time, which is
 * remembered in the profile for the next run (docs/history.md).
 */
export function historyAccessFor(ctx: Context, input: HistoryAccessInput): HistoryAccess {
  eventsUrl(input.baseUrl, input.customer, input.insecure);
  const signedIn = input.profile.auth !== undefined;
  return {
    baseUrl: input.baseUrl,
    customer: input.customer,
    insecure: input.insecure,
    tokenKind: input.tokenKind,
    remembered: input.profile.restAuth,
    remember: (auth) => {
      // Only a signed-in profile learns it: a SCANTAIL_TOKEN run leaves the store alone.
      if (!signedIn) return;
      const known = input.profile.restAuth;
      if (known?.scheme === auth.scheme && known.kind === auth.kind) return;
      void input.store
        .update(input.profileName, (stored) => ({ ...stored, restAuth: auth }))
        .catch(() => {});
    },
    getToken: historyTokenGetter((kind) =>
      createTokenProvider({
        env: ctx.env,
        store: input.store,
        profileName: input.profileName,
        profile: input.profile,
        tokenKind: kind,
        now: ctx.now,
        signal: ctx.signal,
        redactor: ctx.redactor,
      }),
    ),
    now: ctx.now,
    random: ctx.random,
  };
}
