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
 * Middleware entries (method ALL) are not routes; GET implies HEAD. Every request asks it
 * (`isRouted`), so paths without parameters are looked up in a map and only the others are
 * matched against patterns.
 */
export function createRouteTable(
  routes: () => readonly { method: string; path: string }[],
): RouteTable {
  let table:
    { exact: Map<string, string[]>; patterns: { method: string; pattern: RegExp }[] } | undefined;
  function entries() {
    if (table) return table;
    const exact = new Map<string, string[]>();
    const patterns: { method: string; pattern: RegExp }[] = [];
    for (const route of routes()) {
      if (route.method === 'ALL') continue;
      if (route.path.includes('/:')) {
        patterns.push({ method: route.method, pattern: toPattern(route.path) });
      } else {
        exact.set(route.path, [...(exact.get(route.path) ?? []), route.method]);
      }
    }
    return (table = { exact, patterns });
  }

  function allowedMethods(path: string): string[] {
    const { exact, patterns } = entries();
    const methods = new Set(exact.get(path));
    for (const route of patterns) if (route.pattern.test(path)) methods.add(route.method);
    if (methods.has('GET')) methods.add('HEAD');
    return [...methods];
  }
  return {
    allowedMethods,
    isRouted: (method, path) => allowedMethods(path).includes(method),
  };
}
