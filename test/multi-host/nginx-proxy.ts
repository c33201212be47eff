// The proxy host of the multi-replica test: Debian's nginx in front of the replicas, round-robin,
// run as an unprivileged user with its configuration, pid file, logs and temp folders in a temp
// folder of its own. Its access log names the replica (`$upstream_addr`) that answered each request.
import { spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HostProcess } from './host-process.ts';

/** Debian's `nobody`: nginx needs no privilege to listen above 1024. */
const NGINX_UID = 65534;

export interface ProxiedRequest {
  method: string;
  uri: string;
  status: number;
  /** The replica's `address:port`, as nginx tried it (several, comma-separated, if it moved on). */
  upstream: string;
}

export interface NginxProxy {
  url: string;
  process: HostProcess;
  /** The requests nginx has answered so far, oldest first, from its access log. */
  accessLog(): ProxiedRequest[];
  /** Stops nginx and removes its folder. */
  close(): Promise<void>;
}

/** The configuration: what docs/scaling.md recommends, with everything in `dir`. */
export function nginxConfig(options: { dir: string; listen: string; replicas: string[] }): string {
  const { dir, listen, replicas } = options;
  return `
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  log_format upstreams escape=json
    '{"method":"$request_method","uri":"$request_uri","status":$status,"upstream":"$upstream_addr"}';
  access_log ${dir}/access.log upstreams;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;

  upstream attune {
${replicas.map((replica) => `    server ${replica};`).join('\n')}
    keepalive 32;
  }
  server {
    listen ${listen};
    location / {
      proxy_pass http://attune;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      # The client's address, replacing whatever it sent: the replicas trust this proxy
      # (TRUSTED_PROXIES) and count per-IP limits on it.
      proxy_set_header X-Forwarded-For $remote_addr;
      # On to the next replica only when the connection failed or timed out, and never once a
      # POST was sent (nginx leaves non-idempotent requests alone unless told non_idempotent):
      # a write a replica may have made is never made twice behind the client's back.
      proxy_next_upstream error timeout;
    }
  }
}
`;
}

/** Starts nginx in `namespace`, listening on `listen` (address:port), over `replicas`. */
export async function startNginxProxy(options: {
  namespace: string;
  listen: string;
  replicas: string[];
}): Promise<NginxProxy> {
  const dir = mkdtempSync(join(tmpdir(), 'attune-nginx-'));
  chownSync(dir, NGINX_UID, NGINX_UID);
  const config = join(dir, 'nginx.conf');
  writeFileSync(config, nginxConfig({ dir, ...options }));
  const child = spawn(
    'ip',
    [
      'netns',
      'exec',
      options.namespace,
      'setpriv',
      `--reuid=${NGINX_UID}`,
      `--regid=${NGINX_UID}`,
      '--clear-groups',
      '/usr/sbin/nginx',
      // -e: the error log before the configuration is read (the default is under /var/log).
      ...['-p', dir, '-c', config, '-e', join(dir, 'error.log'), '-g', 'daemon off;'],
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  const running = new HostProcess(child);
  const log = join(dir, 'access.log');
  // nginx writes its pid file once it listens.
  const deadline = Date.now() + 10_000;
  while (!existsSync(join(dir, 'nginx.pid'))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      const errors = existsSync(join(dir, 'error.log'))
        ? readFileSync(join(dir, 'error.log'), 'utf8')
        : '';
      running.stop('SIGKILL');
      throw new Error(`nginx did not start:\n${running.output.join('\n')}\n${errors}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    url: `http://${options.listen}`,
    process: running,
    accessLog: () =>
      existsSync(log)
        ? readFileSync(log, 'utf8')
            .split('\n')
            .filter(Boolean)
            .map((line) => JSON.parse(line) as ProxiedRequest)
        : [],
    async close() {
      running.stop('SIGTERM');
      await running.exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
