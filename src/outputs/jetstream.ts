import { readFileSync } from "node:fs";
import type { JetStreamClient, JetStreamManager } from "@nats-io/jetstream";
import type { NatsConnection, NodeConnectionOptions } from "@nats-io/transport-node";
import { DestinationError, errorMessage } from "../errors.js";
import { sleepLong as realSleep } from "../util/timers.js";
import {
  abortError,
  cleanDetail,
  type DeliveryItem,
  type DeliveryReport,
  type Destination,
  type DestinationOptions,
  type DestinationPlan,
} from "./destination.js";
import { retryDelay } from "./retry-policy.js";
import { subjectFilter, subjectFor } from "./subject.js";

const DEFAULT_WINDOW = 32;
/**
 * The duplicate window of a stream we create. JetStream's default (2 min) is shorter than
 * what a forwarder can resend: after a reconnect the gap fill goes back to the last event
 * less a minute, so a second forwarder that was down for ten minutes resends events its
 * twin stored ten minutes ago. The server keeps one id per event for the window: an hour
 * at 100 events/s is 360,000 ids (docs/forward.md).
 */
export const CREATED_DUPLICATE_WINDOW_MS = 60 * 60_000;
const DEFAULT_PORT = 4222;
const INTERRUPTED = "interrupted before acknowledgement";

interface Pending {
  item: DeliveryItem;
  subject: string;
  /** The publish before this one, while it was outstanding: retries go in feed order. */
  previous: Pending | undefined;
  /** Settles (never rejects) once the item is acknowledged, rejected or given up on. */
  done: Promise<void>;
  acknowledged: boolean;
  /** Given up by flush or close: no more attempts, no more reports. */
  abandoned: boolean;
}

/**
 * The NATS packages are CommonJS. Node's own loader gives their exports by name, but in
 * the esbuild bundle (`dist/`) a dynamic import of CommonJS has only `default` (the
 * module.exports object): take the exports from wherever `name` is.
 */
function commonJs<T extends object>(loaded: T, name: keyof T): T {
  if (typeof loaded[name] === "function") return loaded;
  return (loaded as T & { default: T }).default;
}

/**
 * Credentials as the nats CLI takes them: in the URL (`nats://user:pass@host`, or
 * `nats://token@host`), else NATS_CREDS (a .creds file), NATS_NKEY (a seed file),
 * NATS_USER/NATS_PASSWORD (NATS_USER alone is a token).
 */
export async function natsAuth(
  url: URL,
  env: Readonly<Record<string, string | undefined>>,
): Promise<Partial<NodeConnectionOptions>> {
  const user = decodeURIComponent(url.username);
  const pass = decodeURIComponent(url.password);
  if (user && pass) return { user, pass };
  if (user) return { token: user };
  const nats = commonJs(await import("@nats-io/transport-node"), "connect");
  const read = (variable: string, path: string) => {
    try {
      return readFileSync(path);
    } catch (error) {
      throw new DestinationError(`cannot read ${variable} file ${path}: ${errorMessage(error)}`);
    }
  };
  if (env.NATS_CREDS) {
    return { authenticator: nats.credsAuthenticator(read("NATS_CREDS", env.NATS_CREDS)) };
  }
  if (env.NATS_NKEY) {
    const seed = read("NATS_NKEY", env.NATS_NKEY).toString("utf8").trim();
    return { authenticator: nats.nkeyAuthenticator(new TextEncoder().encode(seed)) };
  }
  if (env.NATS_USER && env.NATS_PASSWORD) return { user: env.NATS_USER, pass: env.NATS_PASSWORD };
  if (env.NATS_USER) return { token: env.NATS_USER };
  return {};
}

/** Connects, makes sure a stream takes the subject (creating it if asked), and returns the destination. */
export async function openJetStream(
  plan: DestinationPlan,
  options: DestinationOptions,
): Promise<Destination> {
  const env = options.env ?? {};
  const secrets = [...plan.secrets, env.NATS_PASSWORD ?? "", env.NATS_USER ?? ""];
  const clean = (text: string) => cleanDetail(text, secrets);
  const [nats, js] = await Promise.all([
    import("@nats-io/transport-node").then((m) => commonJs(m, "connect")),
    import("@nats-io/jetstream").then((m) => commonJs(m, "jetstream")),
  ]);
  let nc: NatsConnection;
  try {
    nc = await nats.connect({
      servers: `${plan.url.hostname}:${plan.url.port || DEFAULT_PORT}`,
      ...(await natsAuth(plan.url, env)),
      name: "scantail forward",
      timeout: options.requestTimeoutMs,
      // A forwarder outlives NATS restarts: keep reconnecting; unacknowledged publishes
      // are sent again with the same Nats-Msg-Id.
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
    });
  } catch (error) {
    if (error instanceof DestinationError) throw error;
    throw new DestinationError(
      `cannot connect to NATS at ${plan.label}: ${clean(errorMessage(error))}`,
    );
  }
  try {
    const jsm = await js.jetstreamManager(nc, { timeout: options.requestTimeoutMs });
    await ensureStream(jsm, subjectFilter(plan.subject), options.createStream, clean);
    const client = js.jetstream(nc, { timeout: options.requestTimeoutMs });
    const headers = () => {
      const h = nats.headers();
      for (const [name, value] of plan.headers) h.append(name, value);
      return h;
    };
    return new JetStreamDestination(plan, options, nc, client, jsm, headers, clean);
  } catch (error) {
    await nc.close().catch(() => {});
    if (error instanceof DestinationError) throw error;
    throw new DestinationError(`JetStream at ${plan.label}: ${clean(errorMessage(error))}`);
  }
}

async function ensureStream(
  jsm: JetStreamManager,
  filter: string,
  createStream: string | undefined,
  clean: (text: string) => string,
): Promise<void> {
  const existing = await findStream(jsm, filter);
  if (existing) return;
  if (!createStream) throw noStream(filter);
  try {
    await jsm.streams.add({
      name: createStream,
      subjects: [filter],
      duplicate_window: CREATED_DUPLICATE_WINDOW_MS * 1_000_000,
    });
  } catch (error) {
    throw new DestinationError(
      `cannot create stream '${createStream}' for subject '${filter}': ${clean(errorMessage(error))}`,
    );
  }
}

async function findStream(jsm: JetStreamManager, subject: string): Promise<string | undefined> {
  try {
    return await jsm.streams.find(subject);
  } catch (error) {
    if (/no stream matches subject/i.test(errorMessage(error))) return undefined;
    throw error;
  }
}

function noStream(subject: string): DestinationError {
  return new DestinationError(
    `no JetStream stream takes subject '${subject}'`,
    `create one (nats stream add --subjects '${subject}') or pass --create-stream <name>`,
  );
}

/**
 * Publishes in order with `Nats-Msg-Id: <event_id>`, keeping up to `window` publishes
 * waiting for their acknowledgement. JetStream drops a second message with the same id
 * within the stream's duplicate window and says so in the ack, which is what makes
 * retries (and a second forwarder) safe.
 */
class JetStreamDestination implements Destination {
  readonly label: string;
  private readonly subjectTemplate: string;
  private readonly outstanding: Pending[] = [];
  private failure: DestinationError | undefined;
  /**
   * Set when the connection was lost (or an ack went missing): new events wait until every
   * outstanding publish has settled, so none of them is stored after a later event that went
   * out on the new connection.
   */
  private recovering = false;
  private readonly window: number;
  private readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;

  constructor(
    plan: DestinationPlan,
    private readonly options: DestinationOptions,
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly headers: () => ReturnType<typeof import("@nats-io/transport-node").headers>,
    private readonly clean: (text: string) => string,
  ) {
    this.label = plan.label;
    this.subjectTemplate = plan.subject;
    this.window = Math.max(1, options.window ?? DEFAULT_WINDOW);
    this.sleep = options.sleep ?? realSleep;
    void this.watchConnection();
  }

  private async watchConnection(): Promise<void> {
    for await (const status of this.nc.status()) {
      if (status.type === "disconnect") this.recovering = true;
    }
  }

  async send(item: DeliveryItem): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.options.signal.aborted) throw abortError();
    for (;;) {
      if (this.recovering && this.outstanding.length > 0) {
        await Promise.all(this.outstanding.map((pending) => pending.done));
      } else if (this.outstanding.length >= this.window) {
        await this.outstanding[0]!.done;
      } else break;
    }
    if (this.outstanding.length === 0) this.recovering = false;
    if (this.failure) throw this.failure;
    if (this.options.signal.aborted) throw abortError();
    const pending: Pending = {
      item,
      subject: subjectFor(this.subjectTemplate, item.event),
      previous: this.outstanding.at(-1),
      done: Promise.resolve(),
      acknowledged: false,
      abandoned: false,
    };
    pending.done = this.deliver(pending).finally(() => {
      const index = this.outstanding.indexOf(pending);
      if (index >= 0) this.outstanding.splice(index, 1);
    });
    this.outstanding.push(pending);
  }

  async flush(timeoutMs: number): Promise<void> {
    const all = Promise.all(this.outstanding.map((pending) => pending.done));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([all, new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
    clearTimeout(timer);
    if (this.failure) throw this.failure;
    const left = this.outstanding.filter((pending) => !pending.acknowledged);
    if (left.length === 0) return;
    for (const pending of left) {
      pending.abandoned = true;
      this.report({
        outcome: "failed",
        id: pending.item.id,
        status: "no ack",
        ms: 0,
        attempt: 1,
        detail: "not acknowledged before shutdown",
      });
    }
    this.outstanding.length = 0;
    throw new DestinationError(
      `${left.length} event${left.length === 1 ? " was" : "s were"} not acknowledged by JetStream within ${timeoutMs} ms`,
    );
  }

  async close(): Promise<void> {
    for (const pending of this.outstanding) pending.abandoned = true;
    await this.nc.close().catch(() => {});
  }

  private report(report: DeliveryReport): void {
    this.options.onReport(report);
  }

  /** Never rejects: a fatal problem is kept in `failure` for the next send or flush. */
  private async deliver(pending: Pending): Promise<void> {
    const { item, subject } = pending;
    const { now, maxAttempts, signal } = this.options;
    for (let attempt = 1; ; attempt++) {
      const started = now();
      const base = { id: item.id, attempt };
      try {
        const ack = await this.js.publish(subject, item.body, {
          msgID: item.id,
          headers: this.headers(),
          timeout: this.options.requestTimeoutMs,
        });
        if (pending.abandoned) return;
        pending.acknowledged = true;
        this.report({
          ...base,
          ms: Math.max(0, now() - started),
          outcome: ack.duplicate ? "duplicate" : "delivered",
          status: "ack",
          detail: `${ack.stream} #${ack.seq}`,
        });
        return;
      } catch (error) {
        if (pending.abandoned) return;
        const ms = Math.max(0, now() - started);
        const detail = this.clean(errorMessage(error));
        const status = statusOf(error);
        if (status === "rejected") {
          // JetStream refused this message (size, limits): like a webhook's 4xx, skip it.
          pending.acknowledged = true;
          this.report({ ...base, ms, outcome: "rejected", status: "nak", detail });
          return;
        }
        if (status === "no responders" && !(await this.streamExists(subject))) {
          this.fail(pending, attempt, ms, status, noStream(subject));
          return;
        }
        if (status === "closed") {
          this.fail(
            pending,
            attempt,
            ms,
            status,
            new DestinationError(`NATS connection to ${this.label} closed: ${detail}`),
          );
          return;
        }
        if (maxAttempts !== undefined && attempt >= maxAttempts) {
          this.fail(
            pending,
            attempt,
            ms,
            status,
            new DestinationError(
              `gave up on event ${item.id} after ${attempt} attempts: ${this.label}: ${detail}`,
              "raise --max-attempts, or check the NATS server",
            ),
          );
          return;
        }
        if (signal.aborted) {
          this.report({ ...base, ms, outcome: "failed", status, detail: INTERRUPTED });
          return;
        }
        this.recovering = true;
        const retryInMs = retryDelay(attempt, this.options.random);
        this.report({ ...base, ms, outcome: "retrying", status, detail, retryInMs });
        await this.sleep(retryInMs, signal);
        // The event before this one is republished (or acknowledged) first.
        await pending.previous?.done;
        pending.previous = undefined;
        if (pending.abandoned) return;
        // An abort during the wait starts no new attempt.
        if (signal.aborted) {
          this.report({ ...base, ms: 0, outcome: "failed", status, detail: INTERRUPTED });
          return;
        }
      }
    }
  }

  private fail(
    pending: Pending,
    attempt: number,
    ms: number,
    status: string,
    error: DestinationError,
  ) {
    this.report({
      id: pending.item.id,
      attempt,
      ms,
      outcome: "failed",
      status,
      detail: error.message,
    });
    this.failure ??= error;
  }

  /** After "no responders": a stream that exists means JetStream is still starting (a restart), so retry. */
  private async streamExists(subject: string): Promise<boolean> {
    try {
      return (await findStream(this.jsm, subject)) !== undefined;
    } catch {
      return true;
    }
  }
}

type PublishStatus = "timeout" | "no responders" | "closed" | "rejected" | "error";

function statusOf(error: unknown): PublishStatus {
  const name = error instanceof Error ? error.name : "";
  const message = errorMessage(error);
  if (name === "TimeoutError" || /timeout/i.test(message)) return "timeout";
  if (/no responders|jetstream is not enabled/i.test(message) || name === "JetStreamNotEnabled") {
    return "no responders";
  }
  if (name === "ClosedConnectionError" || /connection closed/i.test(message)) return "closed";
  if (name === "JetStreamApiError") return "rejected";
  return "error";
}
