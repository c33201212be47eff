import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/config.ts';
import { createMailer } from './create-mailer.ts';
import { mailLink } from './mail-link.ts';
import { passwordResetMail } from './mail-messages.ts';
import { MailDeliveryError } from './mailer.ts';
import { createOutboxMailer } from './outbox-mailer.ts';
import { capturingLogger } from './test-logger.ts';

const TOKEN = 'reset-token-8f3a1c';

describe('development outbox', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  function tempDir(): string {
    const dir = mkdtempSync(join(tmpdir(), 'attune-outbox-'));
    dirs.push(dir);
    return dir;
  }

  it('is what the config builds without SMTP_URL: .eml files beside the database', async () => {
    const dir = tempDir();
    const config = loadConfig({ NODE_ENV: 'development', DATABASE_PATH: join(dir, 'attune.db') });
    const { logger, lines } = capturingLogger();
    const mailer = createMailer(config.mail, logger);
    const link = mailLink(config.publicUrl, 'reset-password', TOKEN);
    await mailer.send(
      passwordResetMail({ to: 'ada@example.org', name: 'Ada', link, validMinutes: 30 }),
    );
    await mailer.close();

    const outbox = join(dir, 'mail');
    const files = readdirSync(outbox).sort();
    expect(files).toHaveLength(2);
    expect(files[0]).toMatch(/\.eml$/);
    expect(files[1]).toBe(files[0]?.replace(/\.eml$/, '.txt'));
    const path = join(outbox, files[0] ?? '');
    const textPath = join(outbox, files[1] ?? '');
    // Only the service's user may read them: the link in them resets a password.
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(textPath).mode & 0o777).toBe(0o600);
    // The .txt holds the link whole, on a line of its own, to click or copy.
    expect(readFileSync(textPath, 'utf8').split('\n')).toContain(
      `http://127.0.0.1:8000/reset-password#token=${TOKEN}`,
    );
    expect(statSync(outbox).mode & 0o777).toBe(0o700);

    const raw = readFileSync(path);
    expect(raw.toString('latin1')).toContain('\r\n');
    const parsed = await simpleParser(raw);
    expect(parsed.subject).toBe('Reset your Attune password');
    expect(parsed.from?.value[0]).toMatchObject({ name: 'Attune', address: 'no-reply@localhost' });
    expect(parsed.text?.split(/\r?\n/)).toContain(
      `http://127.0.0.1:8000/reset-password#token=${TOKEN}`,
    );
    expect(parsed.html).toContain(`#token=${TOKEN}`);

    // The log names the file and nothing of what is in it.
    const logged = lines.join('');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({ level: 30, path, text: textPath });
    expect(logged).not.toContain(TOKEN);
    expect(logged).not.toContain('reset-password');
    expect(logged).not.toContain('ada@example.org');
  });

  it('keeps every mail in its own file', async () => {
    const dir = tempDir();
    const { logger } = capturingLogger();
    const mailer = createOutboxMailer({ dir: join(dir, 'mail'), from: 'a@b.example', logger });
    await Promise.all(
      [1, 2, 3].map((n) => mailer.send({ to: `p${n}@example.org`, subject: `m${n}`, text: 'x' })),
    );
    expect(readdirSync(join(dir, 'mail')).filter((f) => f.endsWith('.eml'))).toHaveLength(3);
    expect(readdirSync(join(dir, 'mail')).filter((f) => f.endsWith('.txt'))).toHaveLength(3);
  });

  it('rejects, and says where, when the folder cannot be written', async () => {
    const dir = tempDir();
    const blocker = join(dir, 'not-a-folder');
    writeFileSync(blocker, '');
    const { logger, lines } = capturingLogger();
    const mailer = createOutboxMailer({ dir: join(blocker, 'mail'), from: 'a@b.example', logger });
    await expect(
      mailer.send({ to: 'a@example.org', subject: 's', text: `link ${TOKEN}` }),
    ).rejects.toThrow(MailDeliveryError);
    expect(lines.join('')).toContain('mail could not be written to the development outbox');
    expect(lines.join('')).not.toContain(TOKEN);
  });
});
