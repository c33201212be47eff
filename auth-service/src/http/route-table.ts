/** Which methods the app answers on a path, from the routes Hono registered. */
export interface RouteTable {
  allowedMethods(path: string): string[];
  isRouted(method: string, path: string): boolean;
}

function toPattern(path: string): RegExp {
  const escaped = path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${escaped.replace(/\/:[^/]+/g, '/[^/]+')}$`);
}

/**
 * Built on first use from `routes()`, so middleware registered before the routes can hold it.
 * Middleware entries (method ALL) are not routes; GET implies HEAD.
 */
export function createRouteTable(
  routes: () => readonly { method: string; path: string }[],
): RouteTable {
  let table: { method: string; pattern: RegExp }[] | undefined;
  const entries = () =>
    (table ??= routes()
      .filter((route) => route.method !== 'ALL')
      .map((route) => ({ method: route.method, pattern: toPattern(route.path) })));

  function allowedMethods(path: string): string[] {
    const methods = new Set(
      entries()
        .filter((route) => route.pattern.test(path))
        .map((route) => route.method),
    );
    if (methods.has('GET')) methods.add('HEAD');
    return [...methods];
  }
  return {
    allowedMethods,
    isRouted: (method, path) => allowedMethods(path).includes(method),
  };
}
