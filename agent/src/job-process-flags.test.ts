import { describe, expect, it } from 'vitest';
import { loadAgentConfig } from './config.ts';
import { jobProcessNodeFlags } from './job-process-flags.ts';

const LOCAL = {
  LLM_BASE_URL: 'http://127.0.0.1:11434/v1',
  SPEECH: 'local',
  AGENT_API_SECRET: 'an-agent-secret-of-at-least-32-characters',
};

describe('the node flags of job processes', () => {
  it('caps the young generation at 8 MB by default, and not at all with 0', () => {
    const config = loadAgentConfig(LOCAL);
    expect(jobProcessNodeFlags(config.worker.jobSemiSpaceMb)).toEqual(['--max-semi-space-size=8']);
    const unset = loadAgentConfig({ ...LOCAL, AGENT_JOB_SEMI_SPACE_MB: '0' });
    expect(jobProcessNodeFlags(unset.worker.jobSemiSpaceMb)).toEqual([]);
  });
});
