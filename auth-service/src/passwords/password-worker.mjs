// @ts-check
// Runs inside a worker thread: bcrypt is CPU-bound and would stall the event loop.
import bcrypt from 'bcryptjs';

/**
 * @param {{ op: 'hash', password: string, cost: number } | { op: 'verify', password: string, hash: string }} task
 * @returns {string | boolean}
 */
export default function passwordTask(task) {
  if (task.op === 'hash') return bcrypt.hashSync(task.password, task.cost);
  return bcrypt.compareSync(task.password, task.hash);
}
