import type { ScanEvent } from "../events/event.js";
import { SYMBOLOGIES } from "./barcodes.js";
import { mix32, Random, split53 } from "./random.js";

interface DeviceModel {
  model: string;
  prefix: string;
  firmware: readonly string[];
}

const MODELS: ReadonlyArray<readonly [DeviceModel, number]> = [
  [{ model: "MARK 2", prefix: "M2SR", firmware: ["v1.2.0", "v1.3.1"] }, 3],
  [{ model: "MARK 3", prefix: "M3AR", firmware: ["v2.4.0", "v2.5.2"] }, 4],
  [{ model: "MARK Display", prefix: "MDSR", firmware: ["v1.9.3", "v2.0.1"] }, 3],
  [{ model: "MARK Basic", prefix: "MBSR", firmware: ["v1.1.4"] }, 2],
  [{ model: "LEO", prefix: "LEOR", firmware: ["v1.0.6", "v1.1.0"] }, 1],
];

const USECASES = [
  { usecase: "Inbound", stations: ["Inbound Dock 1", "Inbound Dock 2", "Goods Receipt"] },
  { usecase: "Picking", stations: ["Picking Zone A", "Picking Zone B", "Pick Cart 4"] },
  { usecase: "Packing", stations: ["Pack Station 3", "Pack Station 7"] },
  { usecase: "Shipping", stations: ["Outbound Gate 2", "Loading Bay 5"] },
  { usecase: "Assembly", stations: ["Line 1 Kitting", "Line 2 Final Assembly"] },
] as const;

const GATEWAYS = [
  { type: "mobile", model: "SM-J530F", manufacturer: "samsung", firmware: "9" },
  { type: "mobile", model: "TC52", manufacturer: "Zebra Technologies", firmware: "11" },
  { type: "mobile", model: "CT40", manufacturer: "Honeywell", firmware: "10" },
  { type: "mobile", model: "iPhone 13", manufacturer: "Apple", firmware: "17.4" },
  { type: "pc", model: "MARK Gateway", manufacturer: "ProGlove", firmware: "2.3.0" },
] as const;

export interface SimGateway {
  id: string;
  name: string;
  station: string;
  usecase: string;
  type: string;
  model: string;
  manufacturer: string;
  firmware: string;
}

export interface SimDevice {
  serial: string;
  model: string;
  firmware: string;
  /** Battery level at the epoch start of its cycle (see batteryAt). */
  battery: number;
  /** A full charge lasts this long (8–14 h), then the scanner is swapped for a charged one. */
  batteryCycleMs: number;
  gateway: SimGateway;
  profileId: string;
  profileRevision: number;
  configurationId: string;
  configurationTag: string;
  /** Relative activity: some workers scan much more than others. */
  weight: number;
}

export interface GeneratorOptions {
  devices: number;
  seed: number;
}

/** Device→cloud latency never exceeds this: a history window must look this far past its end. */
export const MAX_LATENCY_MS = 30_000;

/**
 * A fleet of scanners behind gateways, producing realistic scan events: codes that fit
 * their symbology (with correct check digits), battery that drains over a shift and is
 * recharged, device→cloud latency with a long tail, and the `bce_duration` metric.
 *
 * Each event is a pure function of (seed, time received, number within that millisecond),
 * so the simulator's REST history can recreate any past event on demand, identical to
 * the one the live feed sent (same event_id): nothing is stored.
 */
export class EventGenerator {
  /** For fault decisions (which frames are malformed); event content never draws from it. */
  readonly random: Random;
  readonly devices: SimDevice[];
  readonly gateways: SimGateway[];
  private readonly totalWeight: number;
  private readonly seed: number;
  private lastAt = Number.NaN;
  private lastN = 0;

  constructor(options: GeneratorOptions) {
    this.seed = options.seed >>> 0;
    this.random = new Random(options.seed);
    const r = this.random;
    const deviceCount = Math.max(1, options.devices);
    const gatewayCount = Math.max(1, Math.ceil(deviceCount / 3));
    this.gateways = [];
    for (let i = 0; i < gatewayCount; i++) {
      const use = USECASES[i % USECASES.length]!;
      const hw = r.pick(GATEWAYS);
      this.gateways.push({
        id: r.uuid(),
        name: `${use.usecase} Gateway ${Math.floor(i / USECASES.length) + 1}`,
        station: use.stations[Math.floor(i / USECASES.length) % use.stations.length]!,
        usecase: use.usecase,
        type: hw.type,
        model: hw.model,
        manufacturer: hw.manufacturer,
        firmware: hw.firmware,
      });
    }
    this.devices = [];
    for (let i = 0; i < deviceCount; i++) {
      const model = r.weighted(MODELS);
      const gateway = this.gateways[i % gatewayCount]!;
      const serial = `${model.prefix}${String(r.int(10, 23))}${r.digits(7)}`;
      this.devices.push({
        serial,
        model: model.model,
        firmware: r.pick(model.firmware),
        battery: r.int(35, 100),
        // Derived, not drawn, so a seed gives the same fleet as before batteries had cycles.
        batteryCycleMs: 8 * 3_600_000 + (mix32(this.seed ^ mix32(i + 1)) % (6 * 3_600_000)),
        gateway,
        profileId: `profile_${gateway.usecase.toLowerCase()}`,
        profileRevision: r.int(1, 9),
        configurationId: r.uuid(),
        configurationTag: r
          .digits(16)
          .replace(/\d/g, (d) => "0123456789abcdef"[(Number(d) * 7) % 16]!),
        weight: 0.3 + r.next() * 1.7,
      });
    }
    this.totalWeight = this.devices.reduce((s, d) => s + d.weight, 0);
  }

  private pickDevice(r: Random): SimDevice {
    let x = r.next() * this.totalWeight;
    for (const device of this.devices) {
      x -= device.weight;
      if (x < 0) return device;
    }
    return this.devices[this.devices.length - 1]!;
  }

  /** The random stream of the n-th event received at `at`: distinct for every (seed, at, n). */
  private streamOf(at: number, n: number): Random {
    const [lo, hi] = split53(at);
    return new Random(
      mix32(lo ^ mix32(this.seed)),
      mix32(hi ^ mix32(n + 0x9e3779b9)),
      mix32(this.seed + Math.imul(n, 0x85ebca6b)),
    );
  }

  /** Battery in percent at a time: drains linearly over its cycle, then a charged scanner. */
  batteryAt(device: SimDevice, at: number): number {
    const start = (100 - device.battery) / 97;
    const cycle = (at / device.batteryCycleMs + start) % 1;
    return 100 - 97 * cycle;
  }

  /**
   * time_created of the n-th event received at `at`, without building it: latency is the
   * stream's first draw, so a history page can order events cheaply and build only those
   * it serves.
   */
  createdAt(at: number, n = 0): number {
    return at - this.latency(this.streamOf(at, n));
  }

  private latency(r: Random): number {
    return Math.min(MAX_LATENCY_MS, Math.round(r.logNormal(180, 0.6) + 20));
  }

  /**
   * The next scan event received by the cloud at `at` (epoch ms): the live feed's path.
   * Several events in one millisecond are numbered in call order, as `eventAt` expects.
   */
  next(receivedAt: number): ScanEvent {
    if (receivedAt === this.lastAt) this.lastN++;
    else {
      this.lastAt = receivedAt;
      this.lastN = 0;
    }
    return this.eventAt(receivedAt, this.lastN);
  }

  /** The n-th scan event received at `receivedAt`: the same every time it is asked for. */
  eventAt(receivedAt: number, n = 0): ScanEvent {
    const r = this.streamOf(receivedAt, n);
    const latency = this.latency(r);
    const device = this.pickDevice(r);
    const [symbology, , makeCode] = pickSymbology(r);
    const code = makeCode(r);
    const bce = Math.round(r.logNormal(260, 0.35));
    const g = device.gateway;
    return {
      api_version: "0.5",
      event_type: "scan",
      event_id: r.uuid(),
      time_created: receivedAt - latency,
      time_received: receivedAt,
      scan_code: code,
      scan_decode_symbology: symbology,
      device_serial: device.serial,
      device_model: device.model,
      device_manufacturer: "Workaround GmbH",
      device_firmware: device.firmware,
      device_battery: Math.round(this.batteryAt(device, receivedAt)),
      gateway_id: g.id,
      gateway_type: g.type,
      gateway_model: g.model,
      gateway_manufacturer: g.manufacturer,
      gateway_firmware: g.firmware,
      customer_gateway_name: g.name,
      customer_gateway_usecase: g.usecase,
      customer_gateway_station: g.station,
      configuration_id: device.configurationId,
      configuration_profile_id: device.profileId,
      configuration_tag: device.configurationTag,
      configuration_profile_revision: device.profileRevision,
      metrics: [
        { metric_name: "bce_duration", metric_type: "scalars", metric_unit: "ms", values: [bce] },
      ],
      metrics_worker_steps: r.int(1, 6),
      scan_duration: bce / 1000,
    };
  }
}

function pickSymbology(r: Random) {
  const total = SYMBOLOGIES.reduce((s, e) => s + e[1], 0);
  let x = r.next() * total;
  for (const entry of SYMBOLOGIES) {
    x -= entry[1];
    if (x < 0) return entry;
  }
  return SYMBOLOGIES[0]!;
}
