/**
 * The page's Content-Security-Policy: scripts, styles and everything else from this origin only;
 * network connections to this origin and to the LiveKit server the tokens are for (its WebSocket
 * and the HTTP endpoints livekit-client also calls there). LiveKit Cloud moves a client to a
 * region host of the same project, so a `*.livekit.cloud` URL allows that domain's subdomains.
 */
export function contentSecurityPolicy(livekitUrl: string): string {
  const url = new URL(livekitUrl);
  const secure = url.protocol === 'wss:';
  const hosts = url.hostname.endsWith('.livekit.cloud')
    ? [url.host, '*.livekit.cloud']
    : [url.host];
  const livekitSources = hosts.flatMap((host) => [
    `${secure ? 'wss' : 'ws'}://${host}`,
    `${secure ? 'https' : 'http'}://${host}`,
  ]);
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "media-src 'self' blob: mediastream:",
    `connect-src 'self' ${livekitSources.join(' ')}`,
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}
