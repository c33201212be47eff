// @ts-check
// Worker-thread entry for analytics reports. Compiled (dist/), the task module is JavaScript beside
// this file. From the sources (development, tests), TypeScript support is registered here first:
// worker threads do not inherit a loader registered by the test runner.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const source = new URL('./report-task.ts', import.meta.url);
let task = new URL('./report-task.js', import.meta.url);
if (existsSync(fileURLToPath(source))) {
  const { register } = await import('tsx/esm/api');
  register();
  task = source;
}
/** @type {{ runReportTask: (task: import('./report-task.ts').ReportTask) => unknown }} */
const { runReportTask } = await import(task.href);

export default runReportTask;
