import { initial } from './0001-initial.js';
import { waits } from './0002-waits.js';
import { runCommands } from './0003-run-commands.js';
import { deadLetters } from './0004-dead-letters.js';
import { resilience } from './0005-resilience.js';
import { notifications } from './0006-notifications.js';
import { definitions } from './0007-definitions.js';
import { schedules } from './0008-schedules.js';
import type { Migration } from './migration.js';

/** Every migration, oldest first. A new one is one new file plus one line here. */
export const MIGRATIONS: readonly Migration[] = [
  initial,
  waits,
  runCommands,
  deadLetters,
  resilience,
  notifications,
  definitions,
  schedules,
];
