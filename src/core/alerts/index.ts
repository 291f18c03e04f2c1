/**
 * Alerts: telling a person when something needs one. Core code reports an
 * Alert through the AlertSink port it is given; the webhook sink POSTs it as
 * JSON to every `alerts.webhooks` receiver, signed with HMAC-SHA256 over the
 * exact body when a shared secret is set (`X-Xarb-Signature: sha256=<hex>`).
 *
 * Invariants:
 * 1. notify() never throws and never changes the outcome of the work that
 *    raised the alert: a failed delivery is journalled (`alert.failed`).
 * 2. Delivery is bounded in time: one attempt of at most `alerts.timeoutMs`
 *    (default 3 s), and at most one retry, only when the receiver could not
 *    be reached, timed out, or answered 429/5xx. A 2xx is delivered.
 * 3. The secret comes from the environment (XARB_ALERTS_SECRET, or the
 *    variable a webhook names in `secretEnv`); it is never in the config, the
 *    body, the journal or the output. Receiver URLs are journalled without
 *    their query string or credentials.
 */
import {createHmac} from 'node:crypto';
import {hostname} from 'node:os';
import {DEFAULT_ALERT_TIMEOUT_MS, type AlertsConfig} from '../config/schema.js';
import type {EventsRepo} from '../journal/events.js';
import type {Clock} from '../types.js';

export type AlertKind = 'reconcile.discrepancies' | 'risk.state' | 'risk.denied' | 'arb.leg' | 'alert.test';

export interface Alert {
  readonly kind: AlertKind;
  /** One line a person can read. */
  readonly summary: string;
  readonly venue?: string;
  /** What the alert is about: a plan id, a run id ... */
  readonly ref?: string;
  readonly data?: Readonly<Record<string, unknown>>;
}

/** The JSON body every receiver gets. */
export interface AlertBody {
  readonly source: 'xarb';
  readonly kind: AlertKind;
  readonly summary: string;
  /** ISO 8601 UTC. */
  readonly time: string;
  /** Epoch ms, the same instant as `time`. */
  readonly timestamp: number;
  readonly host: string;
  readonly venue: string | null;
  readonly ref: string | null;
  readonly data: Readonly<Record<string, unknown>>;
}

export interface AlertDelivery {
  /** The receiver, without query string or credentials. */
  readonly url: string;
  readonly ok: boolean;
  readonly attempts: number;
  /** HTTP status of the last attempt, when there was an answer. */
  readonly status: number | null;
  readonly error: string | null;
  readonly signed: boolean;
}

/** The port core code reports alerts through. */
export interface AlertSink {
  notify(alert: Alert): Promise<readonly AlertDelivery[]>;
}

/** A sink that drops every alert (no receivers configured). */
export const noAlerts: AlertSink = {notify: async () => []};

export const SIGNATURE_HEADER = 'x-xarb-signature';

/** The signature header value for a body: `sha256=<hex HMAC-SHA256 of the body>`. */
export function signBody(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export interface WebhookSinkDeps {
  readonly env: NodeJS.ProcessEnv;
  readonly clock: Clock;
  /** Where delivery failures (and deliveries) are journalled. */
  readonly events?: () => EventsRepo;
  readonly host?: string;
}

/** Receiver URL as journalled and shown: no credentials, no query string or fragment. */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}

const RETRY_STATUS = (status: number) => status === 429 || status >= 500;

async function attempt(url: string, body: string, headers: Record<string, string>, timeoutMs: number): Promise<{status?: number; error?: string; retry: boolean}> {
  try {
    const response = await fetch(url, {method: 'POST', body, headers, signal: AbortSignal.timeout(timeoutMs), redirect: 'manual'});
    // The body is not needed; release the connection.
    await response.body?.cancel().catch(() => undefined);
    if (response.status >= 200 && response.status < 300) return {status: response.status, retry: false};
    return {status: response.status, error: `HTTP ${response.status}`, retry: RETRY_STATUS(response.status)};
  } catch (error) {
    const name = (error as Error).name;
    const text = name === 'TimeoutError' || name === 'AbortError' ? `no answer within ${timeoutMs} ms` : ((error as {cause?: {code?: string}}).cause?.code ?? (error as Error).message);
    return {error: text, retry: true};
  }
}

/** The webhook sink for the `alerts` section of the config (a no-op sink when it has no receivers). */
export function webhookSink(config: AlertsConfig | undefined, deps: WebhookSinkDeps): AlertSink {
  const hooks = (config?.webhooks ?? []).map((w) => (typeof w === 'string' ? {url: w, secretEnv: undefined} : w));
  if (hooks.length === 0) return noAlerts;
  const timeoutMs = config?.timeoutMs ?? DEFAULT_ALERT_TIMEOUT_MS;
  const host = deps.host ?? hostname();
  return {
    async notify(alert: Alert): Promise<readonly AlertDelivery[]> {
      try {
        const now = deps.clock.now();
        const payload: AlertBody = {
          source: 'xarb',
          kind: alert.kind,
          summary: alert.summary,
          time: new Date(now).toISOString(),
          timestamp: now,
          host,
          venue: alert.venue ?? null,
          ref: alert.ref ?? null,
          data: alert.data ?? {},
        };
        const body = JSON.stringify(payload);
        const deliveries = await Promise.all(
          hooks.map(async (hook): Promise<AlertDelivery> => {
            const secret = deps.env[hook.secretEnv ?? 'XARB_ALERTS_SECRET'];
            const headers: Record<string, string> = {'content-type': 'application/json', 'user-agent': 'xarb'};
            if (secret) headers[SIGNATURE_HEADER] = signBody(body, secret);
            // fetch refuses credentials in a URL: send them as basic auth instead.
            const target = new URL(hook.url);
            if (target.username || target.password) {
              headers.authorization = `Basic ${Buffer.from(`${decodeURIComponent(target.username)}:${decodeURIComponent(target.password)}`).toString('base64')}`;
              target.username = '';
              target.password = '';
            }
            let result = await attempt(target.href, body, headers, timeoutMs);
            let attempts = 1;
            if (result.error !== undefined && result.retry) {
              result = await attempt(target.href, body, headers, timeoutMs);
              attempts = 2;
            }
            return {url: displayUrl(hook.url), ok: result.error === undefined, attempts, status: result.status ?? null, error: result.error ?? null, signed: Boolean(secret)};
          }),
        );
        journal(deps, alert, deliveries);
        return deliveries;
      } catch (error) {
        // Invariant 1: an alert never breaks the work that raised it.
        const failed = hooks.map((h) => ({url: displayUrl(h.url), ok: false, attempts: 0, status: null, error: (error as Error).message, signed: false}));
        journal(deps, alert, failed);
        return failed;
      }
    },
  };
}

function journal(deps: WebhookSinkDeps, alert: Alert, deliveries: readonly AlertDelivery[]): void {
  try {
    const events = deps.events?.();
    if (!events) return;
    for (const d of deliveries) {
      events.append({
        kind: d.ok ? 'alert.sent' : 'alert.failed',
        ...(alert.venue ? {venue: alert.venue} : {}),
        ref: alert.ref ?? alert.kind,
        data: {alert: alert.kind, url: d.url, attempts: d.attempts, status: d.status, error: d.error},
      });
    }
  } catch {
    // The journal may be closed or busy; the delivery outcome is still returned.
  }
}
