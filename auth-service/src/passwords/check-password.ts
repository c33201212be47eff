import { MAX_PASSWORD_BYTES, type PasswordHasher } from './password-hasher.ts';

/**
 * True when `password` is the one `hash` was made from. bcrypt ignores bytes past 72, so a longer
 * password could match a shorter one: it is refused. An unknown account (`hash` undefined) and an
 * over-long password cost the same comparison, against the decoy hash, as any wrong password.
 */
export async function checkPassword(
  passwords: PasswordHasher,
  password: string,
  hash: string | undefined,
): Promise<boolean> {
  const comparable = Buffer.byteLength(password, 'utf8') <= MAX_PASSWORD_BYTES;
  const matches = await passwords.verify(
    password,
    hash !== undefined && comparable ? hash : await passwords.decoyHash(),
  );
  return matches && comparable && hash !== undefined;
}
