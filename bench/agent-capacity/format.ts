import type {
  AgentCapacityResult,
  AgentCapacityStep,
  Percentiles,
} from './agent-capacity.bench.ts';

const ms = (p: Percentiles) => `${p.p50} / ${p.p95} / ${p.max}`;
const signed = (value: number) => `${value >= 0 ? '+' : ''}${value}`;

function row(s: AgentCapacityStep): string {
  const cells = [
    s.mode,
    s.conversations,
    s.turns,
    ms(s.eouDelayMs),
    ms(s.eouExcessMs),
    `${signed(s.eouExcessAboveBaselineP50Ms)} / ${signed(s.eouExcessAboveBaselineP95Ms)}`,
    ms(s.speechEndToCommitMs),
    s.helperCpuPercentPerConversation > 0
      ? `${s.cpuPercentPerConversation}% (helpers ${s.helperCpuPercentPerConversation}%)`
      : `${s.cpuPercentPerConversation}%`,
    `${s.hostCpuPercent}% (${s.machineBusyPercent}%${s.disturbed ? ', disturbed' : ''})`,
    `${s.peakRssMeanMb} / ${s.peakRssMaxMb} (${s.pssMeanMb})`,
    s.maxMicLagMs,
    s.withinLimit ? 'yes' : 'no',
    s.withinLimitAboveBaseline ? 'yes' : 'no',
  ];
  return `| ${cells.join(' | ')} |`;
}

/** The result as a Markdown table, a capacity line per mode, and whatever looked wrong. */
export function formatAgentCapacity(result: AgentCapacityResult): string {
  const { conversation: c } = result;
  const summaries = Object.entries(result.capacity).map(([mode, summary]) => {
    const absolute =
      summary.cpuPercentPerConversation === null
        ? `${mode}: 0 conversations per host within the limit`
        : `${mode}: ${summary.conversationsPerHost} conversations per host within the limit ` +
          `(${summary.cpuPercentPerConversation}% of a core each; added end-of-turn p95 ${summary.eouExcessP95Ms} ms)`;
    const relative =
      `${summary.conversationsPerHostAboveBaseline} within the limit above N = ${summary.baselineConversations}` +
      ` (whose added p95 is ${summary.baselineEouExcessP95Ms} ms)` +
      (summary.cpuPercentPerConversationAboveBaseline === null
        ? ''
        : `, at ${summary.cpuPercentPerConversationAboveBaseline}% of a core each`) +
      (summary.firstOverLimitAboveBaseline === null
        ? ''
        : `; first over: N = ${summary.firstOverLimitAboveBaseline}`);
    return `${absolute}; ${relative}.`;
  });
  const lines = [
    `Agent capacity on ${result.machine.cores} cores (${result.machine.cpu}), Node ${result.machine.node}, ` +
      `measured for ${Object.entries(result.durationSecondsByMode)
        .map(([mode, seconds]) => `${seconds} s (${mode})`)
        .join(', ')} per run; conversation processes: ${result.runtime}.`,
    `The user says "${c.userText}" (${c.utteranceSeconds} s of espeak-ng at ${c.micSampleRate} Hz, in real time) ` +
      `and waits for the reply "${c.replyText}" to play; endpointing ${c.endpointing.minDelayMs} / ` +
      `${c.endpointing.maxDelayMs} ms; turn-detector threshold ${c.unlikelyThreshold ?? 'as shipped'}.`,
    `Within the limit: ${result.criterion}. Above baseline: ${result.criterionAboveBaseline}.`,
    ...(result.runtimeWarning ? [`Warning: ${result.runtimeWarning}`] : []),
    '',
    '| mode | N | turns | end of turn, ms (p50 / p95 / max) | added by host, ms (p50 / p95 / max) | added vs smallest N, ms (p50 / p95) | speech end → commit, ms | CPU per conversation, % of a core | host CPU (machine busy) | peak RSS MB mean / max (PSS) | mic lag, ms | within limit | within limit above smallest N |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...result.steps.map(row),
    '',
    ...summaries,
    `Each process's RSS includes the turn-detector model it loads itself (${result.steps[0]?.turnDetectorModelRssMb ?? '?'} MB); ` +
      "in a LiveKit worker that model lives once, in the worker's shared inference process.",
    ...result.steps
      .filter((step) => step.anomalies.length > 0)
      .map(
        (step) => `Note (${step.mode}, N = ${step.conversations}): ${step.anomalies.join('; ')}`,
      ),
    ...(result.skipped.length > 0
      ? [
          `Not run: ${result.skipped
            .map((s) => `${s.mode} N = ${s.conversations} (${s.reason})`)
            .join(', ')}`,
        ]
      : []),
    `Took ${result.totalSeconds} s.`,
  ];
  return lines.join('\n');
}
