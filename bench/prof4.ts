import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp, createAppJwt, createLogger, createPasswordHasher, loadConfig } from '@attune/auth-service';
import { openDatabase } from '@attune/db';
const dir = mkdtempSync(join(tmpdir(), 'p4-'));
const config = loadConfig({ NODE_ENV: 'test', DATABASE_PATH: join(dir, 'a.db'), JWT_SECRET: 'x'.repeat(40), BCRYPT_COST: '4', LOG_LEVEL: 'silent' });
const database = openDatabase(config.databasePath);
const passwords = createPasswordHasher(4);
const appJwt = await createAppJwt(config.jwtSecret, config.accessTokenTtlMs);
const app = createApp({ config, database, passwords, appJwt, logger: createLogger('silent'), now: Date.now });
const r = await app.request('/auth/register', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'a@b.org', password: 'password1', full_name: 'A' }) });
const { access_token } = (await r.json()) as any;
const req = () => app.request('/auth/token', { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${access_token}` }, body: '{}' });
for (const conc of [50, 50]) {
  const N = 8000;
  const t = performance.now();
  let done = 0;
  await Promise.all(Array.from({ length: conc }, async () => { while (done < N) { done++; const res = await req(); if (res.status !== 201) throw new Error(String(res.status)); } }));
  const el = performance.now() - t;
  console.log(`conc ${conc}: ${(N / el * 1000).toFixed(0)} req/s, ${(el / N * 1000).toFixed(0)} µs/req`);
}
await passwords.close();
