/**
 * The agent definition each job process loads. The worker (main.ts) validates the same
 * environment before it registers, so a job process only re-reads what it was started with.
 */
import { type JobProcess, defineAgent } from '@livekit/agents';
import { openDatabase } from '@attune/db';
import { type AssistantJobDeps, runAssistantJob } from './assistant-job.ts';
import { loadAgentConfig } from './config.ts';

export default defineAgent<AssistantJobDeps>({
  prewarm: (proc: JobProcess<AssistantJobDeps>) => {
    const config = loadAgentConfig(process.env);
    proc.userData.config = config;
    proc.userData.database = openDatabase(config.databasePath);
  },
  entry: (ctx) => runAssistantJob(ctx, ctx.proc.userData),
});
