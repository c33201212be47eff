// Several hosts on this one machine: each a network namespace with its own address on a private
// bridge (itself in a namespace of its own), so processes in them talk over a real network stack.
// Only addresses inside these namespaces are used; the root namespace never routes to them.
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

export interface Host {
  name: string;
  /** The namespace's name, for `ip netns exec`. */
  namespace: string;
  address: string;
}

export interface HostNetwork {
  hosts: Record<string, Host>;
  /** Deletes every namespace (and with them every interface). */
  destroy(): void;
}

const run = (...args: string[]) => execFileSync('ip', args, { stdio: 'pipe' });

/**
 * Why the multi-host tests cannot run here, or null when they can: they need root and the `ip`
 * command (iproute2) with network namespace support.
 */
export function whyNoNetworkNamespaces(): string | null {
  if (process.getuid?.() !== 0) return 'network namespaces need root (run the tests as root)';
  const probe = `attune-probe-${randomBytes(3).toString('hex')}`;
  const added = spawnSync('ip', ['netns', 'add', probe], { encoding: 'utf8' });
  if (added.error)
    return `the ip command is not available (${added.error.message}); install iproute2`;
  if (added.status !== 0) return `ip netns add failed: ${added.stderr.trim()}`;
  spawnSync('ip', ['netns', 'del', probe]);
  return null;
}

/**
 * Creates one namespace per host, all on one bridge, with addresses 10.<subnet>.0.<n>/24 in the
 * order given. Each host also has its loopback up.
 */
export function createHostNetwork(names: readonly string[]): HostNetwork {
  const tag = randomBytes(3).toString('hex');
  // A private 10.x network per run, so two runs at once never meet.
  const subnet = 100 + (parseInt(tag, 16) % 150);
  const bridge = `attune-${tag}-br`;
  const hosts: Record<string, Host> = {};
  const created: string[] = [];
  const destroy = () => {
    for (const namespace of created.reverse()) spawnSync('ip', ['netns', 'del', namespace]);
    created.length = 0;
  };
  try {
    run('netns', 'add', bridge);
    created.push(bridge);
    run('-n', bridge, 'link', 'add', 'br0', 'type', 'bridge');
    run('-n', bridge, 'link', 'set', 'br0', 'up');
    names.forEach((name, index) => {
      const namespace = `attune-${tag}-${name}`;
      const address = `10.${subnet}.0.${index + 1}`;
      run('netns', 'add', namespace);
      created.push(namespace);
      const port = `p${index}`;
      run(
        '-n',
        bridge,
        'link',
        'add',
        port,
        'type',
        'veth',
        'peer',
        'name',
        'eth0',
        'netns',
        namespace,
      );
      run('-n', bridge, 'link', 'set', port, 'master', 'br0', 'up');
      run('-n', namespace, 'addr', 'add', `${address}/24`, 'dev', 'eth0');
      run('-n', namespace, 'link', 'set', 'eth0', 'up');
      run('-n', namespace, 'link', 'set', 'lo', 'up');
      hosts[name] = { name, namespace, address };
    });
  } catch (error) {
    destroy();
    throw error;
  }
  return { hosts, destroy };
}

/** Where extra addresses start on a host network: hosts themselves take .1 upwards. */
const FIRST_EXTRA_ADDRESS = 100;

/**
 * Gives `host` `count` more addresses on its network (10.<subnet>.0.100 onwards): a client that
 * sends from each appears to the others as that many clients (per-IP limits count each apart).
 */
export function addHostAddresses(host: Host, count: number): string[] {
  const prefix = host.address.slice(0, host.address.lastIndexOf('.') + 1);
  return Array.from({ length: count }, (_, index) => {
    const address = `${prefix}${FIRST_EXTRA_ADDRESS + index}`;
    run('-n', host.namespace, 'addr', 'add', `${address}/24`, 'dev', 'eth0');
    return address;
  });
}
