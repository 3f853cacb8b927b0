export { compileCron, nextCronTime } from './cron.js';
export { defaultScheduleName, defineSchedule, type ScheduleDefinition } from './define-schedule.js';
export { type PlannedFire, planFires } from './misfire.js';
export {
  fireJson,
  previewCron,
  ScheduleAdmin,
  type ScheduleAdminOptions,
  type ScheduleView,
  scheduleJson,
} from './schedule-admin.js';
export { compileScheduleInput, scheduleInput } from './schedule-input.js';
export { Scheduler, type SchedulerOptions, type TickReport } from './scheduler.js';
export { checkTimeZone } from './time-zone.js';
export { atTime, everyMs, nextFireAfter, type Timing, upcomingFires } from './timing.js';
