import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';
import { WeftError } from '../../errors.js';
import { formatIssues, issuesFromAjv } from '../../skills/schema-issues.js';
import type { WaitRecord } from '../../store/types.js';
import { checkJsonPayload } from './json-payload.js';

/** What a person decides on an approval (`engine.approve`). */
export interface ApprovalDecision {
  approved: boolean;
  /** Who decided; default null. */
  by?: string;
  comment?: string;
  /** The extra fields of the step's `form` (validated against it). */
  data?: unknown;
}

/** The outcome stored on the wait (a WaitOutcome of kind `approval`). */
export interface ApprovalOutcome {
  kind: 'approval';
  approved: boolean;
  by: string | null;
  comment: string | null;
  data: unknown;
  at: number;
}

const ajv = new Ajv2020({
  allErrors: true,
  useDefaults: true,
  strict: false,
  allowUnionTypes: true,
  verbose: true,
});
ajvFormats.default(ajv);
const validators = new Map<string, ValidateFunction>();

/**
 * Checks a decision for the approval `wait` and returns the outcome to store. An approval's data
 * must match the form (defaults applied); a rejection's only when given. Throws `invalid_input`.
 */
export function approvalOutcome(wait: WaitRecord, decision: ApprovalDecision, now: number): ApprovalOutcome {
  const what = `approval of step '${wait.stepKey}' in run ${wait.runId}`;
  if (typeof decision?.approved !== 'boolean') {
    throw new WeftError(
      'invalid_input',
      `${what}: expected approved to be true or false, got ${JSON.stringify(decision?.approved)}`,
    );
  }
  for (const field of ['by', 'comment'] as const) {
    const value = decision[field];
    if (value !== undefined && value !== null && typeof value !== 'string') {
      throw new WeftError(
        'invalid_input',
        `${what}: expected ${field} to be a string, got ${JSON.stringify(value)}`,
      );
    }
  }
  let data = decision.data ?? null;
  checkJsonPayload(data, `${what}: data`);
  const form = wait.details?.form;
  if (form && typeof form === 'object' && (decision.approved || data !== null)) {
    data = structuredClone(data ?? {});
    const validate = validatorFor(form as Record<string, unknown>);
    if (!validate(data)) {
      const issues = formatIssues(issuesFromAjv(validate.errors ?? []));
      throw new WeftError('invalid_input', `${what}: data does not match the step's form: ${issues}`);
    }
  }
  return {
    kind: 'approval',
    approved: decision.approved,
    by: decision.by ?? null,
    comment: decision.comment ?? null,
    data,
    at: now,
  };
}

function validatorFor(form: Record<string, unknown>): ValidateFunction {
  const key = JSON.stringify(form);
  let validate = validators.get(key);
  if (!validate) {
    const { $schema: _dialect, ...schema } = form;
    validate = ajv.compile(schema);
    validators.set(key, validate);
  }
  return validate;
}
