import type { IncomingMessage } from "node:http";
import type WebSocket from "ws";
import { formatDuration } from "../util/duration.js";
import { BinaryFrame } from "./frame.js";

type WebSocketClass = typeof WebSocket;
let wsClass: WebSocketClass | undefined;
/** ws is loaded on first use: commands that never connect (replay, config) skip it. */
export async function loadWebSocket(): Promise<WebSocketClass> {
  wsClass ??= (await import("ws")).default;
  return wsClass;
}

const OPEN = 1;

export interface HandshakeRefusal {
  status: number;
  body: string;
  retryAfterMs?: number;
}

export type OpenResult =
  | { ok: true }
  | { ok: false; refusal?: HandshakeRefusal; error?: Error; timedOut?: boolean };

/**
 * How long TCP connect, TLS and the HTTP upgrade may take together, for ws:// and wss://
 * alike (ws's own `handshakeTimeout` only watches for an idle socket, which a TLS server
 * that never answers outlasts). API Gateway answers in well under a second; 10 s leaves
 * room for a slow mobile link without leaving a user staring at nothing.
 */
export const HANDSHAKE_TIMEOUT_MS = 10_000;

export interface CloseInfo {
  code: number;
  reason: string;
  /** The heartbeat found the connection dead and terminated it. */
  heartbeatTimeout: boolean;
  error?: Error;
  openedAt: number;
  closedAt: number;
  /** Frames this connection delivered: one that ends having delivered none was no success. */
  frames: number;
}

export interface ConnectionOptions {
  url: string;
  maxPayload: number;
  heartbeatMs: number;
  /** The whole opening (TCP + TLS + upgrade); HANDSHAKE_TIMEOUT_MS unless a test shortens it. */
  handshakeTimeoutMs?: number;
  now: () => number;
  onFrame: (data: Buffer | BinaryFrame) => void;
  /** Runs synchronously on open, before any frame of this connection is delivered. */
  onOpen?: () => void;
  /** True while the consumer is backed up: the socket is paused, pongs cannot arrive. */
  isPaused: () => boolean;
}

/**
 * Node runs a timer of more than 2³¹−1 ms after 1 ms instead: a 30-day heartbeat would
 * kill every connection at once. Pinging every 24.8 days instead is the same in practice.
 */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Reads at most `limit` bytes of a refused handshake's body (doctor shows it). */
function readBody(res: IncomingMessage, limit = 2048): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = () => resolve(Buffer.concat(chunks).toString("utf8").slice(0, limit));
    res.on("data", (chunk: Buffer) => {
      if (size < limit) chunks.push(chunk);
      size += chunk.length;
    });
    res.on("end", finish);
    // A body cut off mid-way ends in 'error' ("aborted"; the deprecated 'aborted' event
    // fires just before it).
    res.on("error", finish);
    setTimeout(finish, 2000).unref();
  });
}

function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds * 1000, 300_000);
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, Math.min(date - now, 300_000)) : undefined;
}

/**
 * One WebSocket to the live feed. `open()` settles once: open, or refused/failed. After
 * open, `closed` settles when it ends for any reason. A ping every `heartbeatMs`; no pong
 * (and no frame) within one interval means the peer is gone — a laptop that slept or a
 * NAT that forgot the flow never sends a close frame.
 */
export class FeedConnection {
  readonly ws: WebSocket;
  openedAt = 0;
  frames = 0;
  readonly closed: Promise<CloseInfo>;
  private heartbeat: NodeJS.Timeout | undefined;
  private alive = true;
  private heartbeatTimeout = false;
  private lastError: Error | undefined;
  private resolveClosed!: (info: CloseInfo) => void;

  /** Creates a connection (loading ws on first use); call open() to await the handshake. */
  static async create(options: ConnectionOptions): Promise<FeedConnection> {
    return new FeedConnection(options, await loadWebSocket());
  }

  private constructor(
    private readonly options: ConnectionOptions,
    WebSocketImpl: WebSocketClass,
  ) {
    this.closed = new Promise((resolve) => {
      this.resolveClosed = resolve;
    });
    // No ws handshakeTimeout: open()'s deadline covers the whole opening, and ws's idle
    // timer could only fire later (or first, with a vaguer error) at the same length.
    this.ws = new WebSocketImpl(options.url, {
      maxPayload: options.maxPayload,
      perMessageDeflate: false,
      followRedirects: false,
    });
    this.ws.on("message", (data, isBinary) => {
      this.alive = true;
      this.frames++;
      // Text stays bytes here: decoding is the classifier's job. With ws's default
      // binaryType ("nodebuffer") every message is one Buffer, fragments already joined.
      const bytes = data as Buffer;
      options.onFrame(isBinary ? new BinaryFrame(bytes) : bytes);
    });
    this.ws.on("pong", () => {
      this.alive = true;
    });
    this.ws.on("error", (error) => {
      this.lastError = error;
    });
    this.ws.on("close", (code, reason) => {
      this.stopHeartbeat();
      this.resolveClosed({
        code,
        reason: reason.toString("utf8"),
        heartbeatTimeout: this.heartbeatTimeout,
        error: this.lastError,
        openedAt: this.openedAt,
        closedAt: options.now(),
        frames: this.frames,
      });
    });
  }

  /**
   * Awaits the handshake. Settles with a failure after the handshake timeout, or at once
   * when `signal` aborts (Ctrl-C must not wait for a server that never answers).
   */
  open(signal?: AbortSignal): Promise<OpenResult> {
    return new Promise((resolve) => {
      const ws = this.ws;
      const timeoutMs = this.options.handshakeTimeoutMs ?? HANDSHAKE_TIMEOUT_MS;
      let timedOut = false;
      // Why we stopped the handshake ourselves; ws's own "closed before established" error
      // would hide it.
      let stopped: Error | undefined;
      const deadline = setTimeout(() => {
        timedOut = true;
        stopped = new Error(`no answer to the handshake within ${formatDuration(timeoutMs)}`);
        ws.terminate();
      }, timeoutMs);
      const onAbort = () => {
        stopped = new Error("interrupted");
        ws.terminate();
      };
      if (signal?.aborted) queueMicrotask(onAbort);
      else signal?.addEventListener("abort", onAbort, { once: true });
      const cleanup = () => {
        clearTimeout(deadline);
        signal?.removeEventListener("abort", onAbort);
        ws.removeListener("open", onOpen);
        ws.removeListener("unexpected-response", onRefused);
        ws.removeListener("close", onClose);
      };
      const onOpen = () => {
        cleanup();
        this.openedAt = this.options.now();
        this.options.onOpen?.();
        this.startHeartbeat();
        resolve({ ok: true });
      };
      const onRefused = (_req: unknown, res: IncomingMessage) => {
        cleanup();
        const status = res.statusCode ?? 0;
        const retryAfterMs = parseRetryAfter(
          res.headers["retry-after"] as string | undefined,
          this.options.now(),
        );
        void readBody(res).then((body) => {
          ws.terminate();
          resolve({ ok: false, refusal: { status, body, retryAfterMs } });
        });
      };
      const onClose = () => {
        cleanup();
        resolve({
          ok: false,
          // Without either, classifyHandshake says "connection closed during the handshake".
          error: stopped ?? this.lastError,
          timedOut,
        });
      };
      ws.on("open", onOpen);
      ws.on("unexpected-response", onRefused);
      ws.on("close", onClose);
    });
  }

  private startHeartbeat(): void {
    if (this.options.heartbeatMs <= 0) return;
    this.heartbeat = setInterval(
      () => {
        // While we are not reading the socket (backpressure) a pong cannot be seen.
        if (this.options.isPaused()) {
          this.alive = true;
          return;
        }
        if (!this.alive) {
          this.heartbeatTimeout = true;
          this.ws.terminate();
          return;
        }
        this.alive = false;
        try {
          this.ws.ping();
        } catch {
          // The socket is closing; the close handler reports it.
        }
      },
      Math.min(this.options.heartbeatMs, MAX_TIMER_MS),
    );
    this.heartbeat.unref?.();
  }

  private stopHeartbeat(): void {
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }

  pause(): void {
    // Pausing twice is harmless; pausing while closing would leave the close frame unread.
    if (this.ws.readyState === OPEN) this.ws.pause();
  }

  resume(): void {
    // Harmless when not paused, as ws.resume() is once closed.
    this.ws.resume();
  }

  close(code = 1000, reason = ""): void {
    this.stopHeartbeat();
    // During the handshake ws.close() aborts it exactly as terminate() would; once
    // closing or closed it does nothing more.
    this.ws.close(code, reason);
    // A peer that never answers the close frame must not keep us waiting.
    setTimeout(() => this.ws.terminate(), 1000).unref();
  }

  terminate(): void {
    this.stopHeartbeat();
    this.ws.terminate();
  }
}
