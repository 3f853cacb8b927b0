import { initial } from './0001-initial.js';
import { waits } from './0002-waits.js';
import type { Migration } from './migration.js';

/** Every migration, oldest first. A new one is one new file plus one line here. */
export const MIGRATIONS: readonly Migration[] = [initial, waits];
