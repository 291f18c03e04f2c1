/**
 * Market-data bus URLs as config, flags and the environment give them:
 * checked, and shown without credentials. A leaf module: config checks
 * with it without depending on the bus.
 */

/**
 * A bus URL (one server or a comma-separated list) as it may be shown: any
 * user, password or token before a server's `@` replaced by `***`.
 */
export function redactBusUrl(url: string): string {
  return url.replace(/(^|,|\/\/)([^,/@\s]+)@/g, '$1***@');
}

/** Whether `input` is a nats:// URL, or several comma-separated (a cluster). */
export function isBusUrl(input: string): boolean {
  const urls = busUrls(input);
  return urls.length > 0 && urls.every((u) => URL.canParse(u) && new URL(u).protocol === 'nats:');
}

/** The URLs of a source, trimmed, empty ones left out. */
export function busUrls(input: string): string[] {
  return input
    .split(',')
    .map((u) => u.trim())
    .filter(Boolean);
}

