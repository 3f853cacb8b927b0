import { basename, extname, isAbsolute, resolve } from 'node:path';
import { isWorkflowPath } from '../engine/chaining.js';
import { WeftError } from '../errors.js';
import {
  MISFIRE_POLICIES,
  type MisfirePolicy,
  type NewSchedule,
  OVERLAP_POLICIES,
  type OverlapPolicy,
  type ScheduleKind,
} from '../store/schedule-types.js';
import { compileScheduleInput } from './schedule-input.js';
import { atTime, checkTiming, nextFireAfter } from './timing.js';

/** What `weft schedules create` and `POST /api/v1/schedules` take: exactly one of cron, every, at. */
export interface ScheduleDefinition {
  /** A registered workflow name, or a path to a document (relative to `cwd`). */
  workflow: string;
  /** Default: the workflow's name (`-2`, `-3`... when taken). */
  name?: string;
  cron?: string;
  /** IANA zone of `cron`; default UTC. */
  tz?: string;
  /** A duration: `30s`, `5m`, `1h30m`, `PT1H`. */
  every?: string;
  /** One instant, ISO 8601 with a zone. */
  at?: string;
  /** The run input; `${ }` expressions see `schedule.fired_at`, `schedule.name` and `now`. */
  input?: unknown;
  /** Default `skip`. */
  overlap?: OverlapPolicy;
  /** Runs of this schedule at once before `overlap` applies; default 1. */
  maxConcurrent?: number;
  /** Default `skip`. */
  misfire?: MisfirePolicy;
  pauseAfterFailures?: number | null;
}

export const SCHEDULE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

function invalid(field: string, message: string, value?: unknown): WeftError {
  return new WeftError('invalid_input', message, { details: { field, value } });
}

function oneOf<T extends string>(field: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw invalid(field, `${field}: expected one of ${allowed.join(', ')}, got '${String(value)}'`, value);
}

function positiveInt(field: string, value: unknown): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1) return value;
  throw invalid(field, `${field}: expected a positive integer, got ${JSON.stringify(value)}`, value);
}

function timingOf(def: ScheduleDefinition): { kind: ScheduleKind; spec: string } {
  const given = (['cron', 'every', 'at'] as const).filter((k) => def[k] !== undefined);
  if (given.length !== 1) {
    const got = given.length === 0 ? 'none' : given.join(' and ');
    throw invalid('timing', `expected exactly one of cron, every or at, got ${got}`);
  }
  const kind = given[0]!;
  return { kind, spec: String(def[kind]).trim() };
}

/** The stored form of a workflow reference: a registered name as given, a path made absolute. */
export function workflowTarget(workflow: string, cwd: string): string {
  const ref = workflow.trim();
  if (ref === '')
    throw invalid('workflow', 'workflow: expected a registered workflow name or a document path');
  return isWorkflowPath(ref) && !isAbsolute(ref) ? resolve(cwd, ref) : ref;
}

/** The name a schedule gets when none is given: the workflow's, without directory or extension. */
export function defaultScheduleName(workflow: string): string {
  const base = isWorkflowPath(workflow) ? basename(workflow, extname(workflow)) : workflow;
  const name = base.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '');
  return name.slice(0, 120) || 'schedule';
}

/**
 * Checks a definition (all of it: timing, zone, input expressions, policies) and makes the
 * record to store; throws `invalid_input` naming the field. `name` must be given by the caller.
 */
export function defineSchedule(
  def: ScheduleDefinition & { name: string },
  options: { cwd: string; now: number },
): NewSchedule {
  if (!SCHEDULE_NAME.test(def.name)) {
    throw invalid(
      'name',
      `name: expected letters, digits, '.', '_' or '-' (starting with a letter or digit, at most 128), got '${def.name}'`,
      def.name,
    );
  }
  const { kind, spec } = timingOf(def);
  if (def.tz !== undefined && kind !== 'cron')
    throw invalid('tz', `tz applies to cron schedules only, not to ${kind}`);
  const tz = checkTiming(kind, spec, def.tz ?? null);
  if (kind === 'at' && atTime(spec) <= options.now) {
    throw invalid(
      'at',
      `at '${spec}': expected a time in the future, it is ${new Date(options.now).toISOString()} now`,
      spec,
    );
  }
  compileScheduleInput(def.input);
  const nextFireAt = nextFireAfter({ kind, spec, tz, anchor: options.now }, options.now);
  if (nextFireAt === null) throw invalid('cron', `cron expression '${spec}' never fires after now`, spec);
  return {
    name: def.name,
    workflow: workflowTarget(def.workflow, options.cwd),
    kind,
    spec,
    tz,
    input: def.input ?? null,
    overlap: oneOf('overlap', def.overlap ?? 'skip', OVERLAP_POLICIES),
    maxConcurrent: positiveInt('max_concurrent', def.maxConcurrent ?? 1),
    misfire: oneOf('misfire', def.misfire ?? 'skip', MISFIRE_POLICIES),
    pauseAfterFailures:
      def.pauseAfterFailures === undefined || def.pauseAfterFailures === null
        ? null
        : positiveInt('pause_after_failures', def.pauseAfterFailures),
    status: 'active',
    pauseReason: null,
    nextFireAt,
    createdAt: options.now,
  };
}
