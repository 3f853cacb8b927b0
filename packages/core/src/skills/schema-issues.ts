import type { ErrorObject } from 'ajv/dist/2020.js';
import { didYouMean } from '../util/did-you-mean.js';
import type { StandardSchemaV1 } from './standard-schema.js';

/** One problem with a value: a JSON Pointer into it (`/headers/Accept`, `` for the root) and what is wrong. */
export interface SchemaIssue {
  path: string;
  message: string;
}

/** `/url must be string; /method is not allowed (did you mean 'method'?)` */
export function formatIssues(issues: readonly SchemaIssue[]): string {
  return issues
    .map((issue) => (issue.path === '' ? issue.message : `${issue.path} ${issue.message}`))
    .join('; ');
}

/** Ajv's errors, said plainly; requires the `verbose` option for the did-you-mean hints. */
export function issuesFromAjv(errors: readonly ErrorObject[]): SchemaIssue[] {
  const seen = new Set<string>();
  const issues: SchemaIssue[] = [];
  for (const error of errors) {
    const issue = ajvIssue(error);
    if (issue === undefined) continue;
    const key = `${issue.path}\u0000${issue.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push(issue);
  }
  return issues;
}

function ajvIssue(error: ErrorObject): SchemaIssue | undefined {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return {
        path: `${error.instancePath}/${pointerSegment(String(params.missingProperty))}`,
        message: 'is required',
      };
    case 'additionalProperties': {
      const name = String(params.additionalProperty);
      const properties = (error.parentSchema as { properties?: Record<string, unknown> } | undefined)
        ?.properties;
      const known = Object.keys(properties ?? {});
      const hint =
        didYouMean(name, known) || (known.length > 0 ? ` (expected one of: ${known.join(', ')})` : '');
      return { path: `${error.instancePath}/${pointerSegment(name)}`, message: `is not allowed${hint}` };
    }
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map((value) => JSON.stringify(value)).join(', ');
      return {
        path: error.instancePath,
        message: `must be one of ${allowed}, got ${JSON.stringify(error.data)}`,
      };
    }
    case 'if':
      return undefined; // the failing `then`/`else` keyword reports the real problem
    default:
      return { path: error.instancePath, message: error.message ?? `fails '${error.keyword}'` };
  }
}

export function issuesFromStandard(issues: readonly StandardSchemaV1.Issue[]): SchemaIssue[] {
  return issues.map((issue) => ({
    path: (issue.path ?? [])
      .map((segment) => `/${pointerSegment(String(typeof segment === 'object' ? segment.key : segment))}`)
      .join(''),
    message: issue.message,
  }));
}

function pointerSegment(key: string): string {
  return key.replaceAll('~', '~0').replaceAll('/', '~1');
}
