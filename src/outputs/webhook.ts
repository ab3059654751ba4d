import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { DestinationError } from "../errors.js";
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
import { isRetryableStatus, parseRetryAfter, retryDelay } from "./retry-policy.js";
import { signatureHeader } from "./signature.js";

type Attempt =
  | { status: number; retryAfter?: string; excerpt: string }
  | { status?: undefined; failure: string; detail: string };

/** How much of a rejecting receiver's answer we show: enough for "missing field x". */
const EXCERPT_BYTES = 200;
const INTERRUPTED = "interrupted before delivery";

/**
 * One POST per event, in order, on one keep-alive connection. Built on `node:http(s)`
 * rather than `fetch`: Node 20's fetch adds headers of its own (user-agent, accept,
 * sec-fetch-mode…), its undici Agent (keep-alive and connection limits) is not importable
 * without the undici package, and an Agent we own is closed with the destination instead of
 * lingering in a global pool.
 */
export class WebhookDestination implements Destination {
  readonly label: string;
  private readonly agent: HttpAgent;
  private readonly send1: typeof httpRequest;
  private readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;

  constructor(
    private readonly plan: DestinationPlan,
    private readonly options: DestinationOptions,
  ) {
    this.label = plan.label;
    const https = plan.url.protocol === "https:";
    // One socket: deliveries are sequential, and a second connection could let a
    // retried event arrive after its successor.
    const agentOptions = { keepAlive: true, maxSockets: 1 };
    this.agent = https ? new HttpsAgent(agentOptions) : new HttpAgent(agentOptions);
    this.send1 = https ? httpsRequest : httpRequest;
    this.sleep = options.sleep ?? realSleep;
  }

  async send(item: DeliveryItem): Promise<void> {
    const { signal, now, maxAttempts } = this.options;
    for (let attempt = 1; ; attempt++) {
      // An abort lets the request in flight finish but starts no new one.
      if (signal.aborted) throw abortError();
      const started = now();
      const result = await this.post(item);
      const ms = Math.max(0, now() - started);
      const base = { id: item.id, ms, attempt };
      if (result.status !== undefined && result.status >= 200 && result.status < 300) {
        this.report({ ...base, outcome: "delivered", status: String(result.status) });
        return;
      }
      if (result.status !== undefined && !isRetryableStatus(result.status)) {
        const detail = this.clean(result.excerpt);
        this.report({ ...base, outcome: "rejected", status: String(result.status), detail });
        return;
      }
      const status = result.status === undefined ? result.failure : String(result.status);
      const detail = this.clean(result.status === undefined ? result.detail : result.excerpt);
      if (maxAttempts !== undefined && attempt >= maxAttempts) {
        this.report({ ...base, outcome: "failed", status, detail });
        throw new DestinationError(
          `gave up on event ${item.id} after ${attempt} attempt${attempt === 1 ? "" : "s"}: ${this.label} answered ${status}${detail ? ` (${detail})` : ""}`,
          "raise --max-attempts, or check the receiver",
        );
      }
      if (signal.aborted) {
        this.report({ ...base, outcome: "failed", status, detail: INTERRUPTED });
        throw abortError();
      }
      const retryAfter = result.status === undefined ? undefined : result.retryAfter;
      const retryInMs = retryDelay(
        attempt,
        this.options.random,
        parseRetryAfter(retryAfter, now()),
      );
      this.report({ ...base, outcome: "retrying", status, detail, retryInMs });
      await this.sleep(retryInMs, signal);
      // An abort during the wait starts no new attempt.
      if (signal.aborted) {
        this.report({ ...base, ms: 0, outcome: "failed", status, detail: INTERRUPTED });
        throw abortError();
      }
    }
  }

  async flush(): Promise<void> {
    // Every send resolved only after its answer: nothing is outstanding.
  }

  async close(): Promise<void> {
    this.agent.destroy();
  }

  private report(report: DeliveryReport): void {
    this.options.onReport(report);
  }

  private clean(text: string): string | undefined {
    return cleanDetail(text, this.plan.secrets) || undefined;
  }

  private headersFor(item: DeliveryItem): Record<string, string | number> {
    const body = item.body;
    const headers: Record<string, string | number> = {
      "Content-Type": "application/json",
      "Content-Length": typeof body === "string" ? Buffer.byteLength(body) : body.byteLength,
      "Scantail-Event-Id": item.id,
    };
    for (const [name, value] of this.plan.headers) {
      const known = Object.keys(headers).find((key) => key.toLowerCase() === name.toLowerCase());
      if (known) headers[known] = `${headers[known]}, ${value}`;
      else headers[name] = value;
    }
    if (this.options.secret) {
      headers["Scantail-Signature"] = signatureHeader(
        this.options.secret,
        this.options.now() / 1000,
        body,
      );
    }
    return headers;
  }

  /** One request; never rejects. Only a complete answer with a status counts. */
  private post(item: DeliveryItem): Promise<Attempt> {
    return new Promise((resolve) => {
      let settled = false;
      const finish = (attempt: Attempt) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(attempt);
      };
      const req = this.send1(this.plan.url, {
        method: "POST",
        agent: this.agent,
        headers: this.headersFor(item),
      });
      const timer = setTimeout(() => {
        finish({
          failure: "timeout",
          detail: `no answer within ${this.options.requestTimeoutMs} ms`,
        });
        req.destroy();
      }, this.options.requestTimeoutMs);
      req.on("error", (error: NodeJS.ErrnoException) => {
        finish({ failure: error.code ?? "error", detail: error.message });
      });
      req.on("response", (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let kept = 0;
        res.on("data", (chunk: Buffer) => {
          if (kept < EXCERPT_BYTES) {
            chunks.push(chunk);
            kept += chunk.length;
          }
        });
        // The body is read to its end so the socket can carry the next event.
        res.on("end", () => {
          const retryAfter = res.headers["retry-after"];
          finish({
            status: res.statusCode ?? 0,
            retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter,
            excerpt: Buffer.concat(chunks).subarray(0, EXCERPT_BYTES).toString("utf8"),
          });
        });
        res.on("error", (error: NodeJS.ErrnoException) => {
          finish({ failure: error.code ?? "error", detail: error.message });
        });
      });
      req.end(item.body);
    });
  }
}
