/**
 * ccxt's optional proxy-agent modules, looked for once per process.
 *
 * Before its first request, every ccxt exchange object imports the optional
 * packages `http-proxy-agent`, `https-proxy-agent` and `socks-proxy-agent`
 * (`loadProxyModules`); they are usually not installed, and each failed
 * import costs a module resolution with Node's error hints, about 1 ms for
 * the three. Seven venues paid it seven times. `shareProxyModules` lets the
 * first object of the process run ccxt's own `loadProxyModules` and gives
 * every later one the same outcome (the same module namespaces, or none):
 * what the imports would have answered again, as a package cannot appear
 * or vanish in between.
 */

type Host = Record<string, unknown> & {loadProxyModules?: () => Promise<unknown>};

/** What ccxt's loadProxyModules leaves on the object. */
const FIELDS = ['httpProxyAgentModule', 'httpsProxyAgentModule', 'socksProxyAgentModule', 'socksProxyAgentModuleChecked'] as const;

let outcome: Promise<Record<string, unknown>> | undefined;

export function shareProxyModules(ex: object): void {
  const host = ex as Host;
  const own = host.loadProxyModules;
  if (typeof own !== 'function') return;
  host.loadProxyModules = async function (this: Host) {
    if (this.proxiesModulesLoading === undefined) {
      outcome ??= own.call(this).then(
        () => Object.fromEntries(FIELDS.map((k) => [k, this[k]])),
        (error: unknown) => {
          outcome = undefined;
          throw error;
        },
      );
      this.proxiesModulesLoading = outcome.then((fields) => {
        for (const k of FIELDS) this[k] = fields[k];
      });
    }
    return await (this.proxiesModulesLoading as Promise<unknown>);
  };
}
