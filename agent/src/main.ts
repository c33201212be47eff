/**
 * `pnpm agent`: the Attune LiveKit worker. It registers under AGENT_NAME for explicit dispatch
 * (the auth service puts that name in every token's room configuration), runs each conversation in
 * a job process of its own, and reaches users' data only through the auth service's internal
 * agent API (ATTUNE_API_URL), so workers can run on any number of hosts.
 */
import { once } from 'node:events';
import { type AddressInfo, createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { AgentConfigError, loadAgentConfig } from './config.ts';
import { jobProcessNodeFlags } from './job-process-flags.ts';
import { waitForLiveKit } from './livekit-reachable.ts';
import { cpuReading, workerLoad } from './worker-load.ts';

function configOrExit() {
  try {
    return loadAgentConfig(process.env);
  } catch (error) {
    if (!(error instanceof AgentConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}

const config = configOrExit();
const say = (line: string) => process.stdout.write(`attune agent: ${line}\n`);

// @livekit/agents 1.9 marks its `dev` subcommand deprecated; the worker always runs `start`,
// and development differs only by its settings (below).
const [command] = process.argv.slice(2);
if (command !== undefined && command !== 'start') {
  say(
    command === 'dev'
      ? '`dev` is deprecated in @livekit/agents 1.9; running `start` (NODE_ENV=development keeps one warm job process and picks a free health port).'
      : `unknown command "${command}"; running \`start\`.`,
  );
}
// The framework's CLI reads the log level from its own flag, whatever ServerOptions say.
process.argv.splice(2, process.argv.length, 'start', '--log-level', config.logLevel);

/**
 * A port free right now on `host`. The framework reads a health port of 0 as "use the default"
 * (8081), so development workers, which may share a host, are given a free one instead.
 */
async function freePort(host: string): Promise<number> {
  const probe = createServer().listen(0, host);
  await once(probe, 'listening');
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

// The agent secret and users' memory cross this connection: in production on another host it
// belongs on a private network or behind TLS.
const attuneApi = new URL(config.attuneApi.url);
if (
  config.production &&
  attuneApi.protocol === 'http:' &&
  !['localhost', '127.0.0.1', '[::1]'].includes(attuneApi.hostname)
) {
  say(
    `ATTUNE_API_URL (${attuneApi.origin}) is plain http to another host: keep that network private, or put TLS in front of the internal agent API and use https://.`,
  );
}

await waitForLiveKit(config.livekit.url, say);
const { worker } = config;
const healthPort = worker.healthPort || (await freePort(worker.healthHost));

// Job processes are forked with the worker's own flags: give them theirs.
process.execArgv.push(...jobProcessNodeFlags(worker.jobSemiSpaceMb));

// Loaded only once the configuration is known to be good: the framework takes seconds to import.
const { cli, ServerOptions } = await import('@livekit/agents');
// The job module next to this one: job.ts from the sources (tsx), job.js once compiled.
const jobModule = fileURLToPath(
  new URL(`./job${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url),
);
// Development keeps one job process warm (the framework's least); production, its own default.
const idleProcesses = worker.idleProcesses ?? (config.production ? undefined : 1);
cli.runApp(
  new ServerOptions({
    agent: jobModule,
    agentName: config.agentName,
    wsURL: config.livekit.url,
    apiKey: config.livekit.apiKey,
    apiSecret: config.livekit.apiSecret,
    host: worker.healthHost,
    port: healthPort,
    loadFunc: workerLoad({ maxConversations: worker.maxConversations, cpu: cpuReading() }),
    loadThreshold: worker.loadThreshold,
    jobMemoryWarnMB: worker.jobMemoryWarnMb,
    jobMemoryLimitMB: worker.jobMemoryLimitMb,
    ...(idleProcesses ? { numIdleProcesses: idleProcesses } : {}),
  }),
);
