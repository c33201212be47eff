// @ts-check
// Worker-thread entry for analytics reports. Worker threads do not inherit a loader registered
// by the test runner, so TypeScript support is registered here before the task module loads.
import { register } from 'tsx/esm/api';

register();
const { runReportTask } = await import('./report-task.ts');

export default runReportTask;
