/**
 * `pnpm agent`: the Attune LiveKit worker. It registers under AGENT_NAME for explicit dispatch
 * (the auth service puts that name in every token's room configuration) and runs each job in its
 * own process. Usage: `pnpm agent [start|dev]`: `start` (the default) is the framework's production
 * mode, which keeps a few job processes warm; `dev` starts them on demand and logs more.
 */
import { fileURLToPath } from 'node:url';
import { AgentConfigError, loadAgentConfig } from './config.ts';

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
if (process.argv.length <= 2) process.argv.push('start');

// Loaded only once the configuration is known to be good: the framework takes seconds to import.
const { cli, ServerOptions } = await import('@livekit/agents');
cli.runApp(
  new ServerOptions({
    agent: fileURLToPath(new URL('./job.ts', import.meta.url)),
    agentName: config.agentName,
    wsURL: config.livekit.url,
    apiKey: config.livekit.apiKey,
    apiSecret: config.livekit.apiSecret,
    port: config.healthPort,
    logLevel: config.logLevel,
  }),
);
