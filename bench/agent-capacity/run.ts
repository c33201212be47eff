/**
 * The agent capacity benchmark on its own:
 *
 *   node --conditions=@attune/source --import tsx bench/agent-capacity/run.ts \
 *     [--duration 20] [--local-duration 40] [--sweep 1,4,8] [--local-sweep 1,2,4]
 *     [--modes standin,local] [--json]
 *
 * --duration and --sweep are for the stand-in mode (and any mode without its own), the --local-
 * ones for the local mode.
 *
 * Prints a table (or, with --json, the whole result) on stdout; progress goes to stderr.
 */
import { parseArgs } from 'node:util';
import {
  type AgentCapacityOptions,
  DEFAULT_AGENT_CAPACITY_OPTIONS,
  type ProviderMode,
  benchAgentCapacity,
} from './agent-capacity.bench.ts';
import { formatAgentCapacity } from './format.ts';

const { values } = parseArgs({
  options: {
    duration: { type: 'string' },
    'local-duration': { type: 'string' },
    sweep: { type: 'string' },
    'local-sweep': { type: 'string' },
    modes: { type: 'string' },
    'node-flags': { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});

const numbers = (list: string) => list.split(',').map((item) => Number(item.trim()));
const defaults = DEFAULT_AGENT_CAPACITY_OPTIONS;
const options: AgentCapacityOptions = {
  ...defaults,
  durationSeconds: values.duration ? Number(values.duration) : defaults.durationSeconds,
  sweep: values.sweep ? numbers(values.sweep) : defaults.sweep,
  modes: values.modes ? (values.modes.split(',') as ProviderMode[]) : defaults.modes,
  ...(values['node-flags']
    ? { jobNodeFlags: values['node-flags'].split(' ').filter(Boolean) }
    : {}),
  durationSecondsByMode: {
    ...defaults.durationSecondsByMode,
    ...(values['local-duration'] ? { local: Number(values['local-duration']) } : {}),
  },
  sweepByMode: {
    ...defaults.sweepByMode,
    ...(values.sweep ? { standin: numbers(values.sweep) } : {}),
    ...(values['local-sweep'] ? { local: numbers(values['local-sweep']) } : {}),
  },
};

const result = await benchAgentCapacity(options);
console.log(values.json ? JSON.stringify(result, null, 2) : formatAgentCapacity(result));
