import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

/** A lease owner id: `<host>:<pid>:<random>`. */
export function newOwnerId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Owners on this host whose process is gone: their leases can be taken without waiting. */
export function deadLocalOwners(owners: readonly string[], self: string): string[] {
  const host = hostname();
  return owners.filter((owner) => {
    if (owner === self) return false;
    const parts = owner.split(':');
    const pid = Number(parts[parts.length - 2]);
    return (
      parts.slice(0, -2).join(':') === host &&
      Number.isInteger(pid) &&
      pid !== process.pid &&
      !processAlive(pid)
    );
  });
}
