import { userInfo } from 'node:os';

/** The user running the command, recorded as `by` (approvals, pause, cancel); undefined if unknown. */
export function currentUser(): string | undefined {
  try {
    return process.env.USER || process.env.USERNAME || userInfo().username;
  } catch {
    return undefined;
  }
}
