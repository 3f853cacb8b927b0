import { WeftError } from '@weft/core';
import { type ApiErrorCode, codeForStatus, httpStatusOf, isApiErrorCode } from './http-status.js';

/** The JSON body of every error response. */
export interface ApiErrorBody {
  error: { code: string; message: string; details: Record<string, unknown> };
}

export interface ApiError {
  status: number;
  body: ApiErrorBody;
  /** True when the cause is a server fault to be logged with its stack. */
  internal: boolean;
}

/**
 * Throws an API error: one WeftError with a code from the status table.
 * @example throw apiError('forbidden', 'shell steps are not allowed in runs started over the API')
 */
export function apiError(
  code: ApiErrorCode,
  message: string,
  details: Record<string, unknown> = {},
): WeftError {
  return new WeftError(code, message, { details });
}

interface FastifyLikeError {
  statusCode?: unknown;
  code?: unknown;
  message?: unknown;
  validation?: unknown;
  validationContext?: unknown;
}

/**
 * Normalises anything thrown into a status and a body. A WeftError keeps its code and message
 * when the code is in the table; Fastify's own 4xx errors keep their status; anything else is a
 * 500 whose message and stack stay in the server log.
 */
export function toApiError(error: unknown, requestId: string): ApiError {
  if (error instanceof WeftError && isApiErrorCode(error.code) && error.code !== 'internal_error') {
    return {
      status: httpStatusOf(error.code),
      body: { error: { code: error.code, message: error.message, details: safeDetails(error.details) } },
      internal: false,
    };
  }
  const like = (error ?? {}) as FastifyLikeError;
  if (Array.isArray(like.validation)) return validationError(like);
  const status = typeof like.statusCode === 'number' ? like.statusCode : 500;
  if (!(error instanceof WeftError) && status >= 400 && status < 500) {
    const code = codeForStatus(status);
    const message = typeof like.message === 'string' ? like.message : 'the request was refused';
    return { status, body: { error: { code, message, details: {} } }, internal: false };
  }
  return {
    status: 500,
    body: {
      error: {
        code: 'internal_error',
        message: `the server failed to handle the request; see its log for request ${requestId}`,
        details: { request_id: requestId },
      },
    },
    internal: true,
  };
}

interface ValidationIssue {
  instancePath?: string;
  message?: string;
  keyword?: string;
  params?: Record<string, unknown>;
}

/** Fastify schema failures name the field: `body.input_x: must NOT have additional properties`. */
function validationError(like: FastifyLikeError): ApiError {
  const where = typeof like.validationContext === 'string' ? like.validationContext : 'request';
  const issues = (like.validation as ValidationIssue[]).map((issue) => {
    const extra =
      issue.keyword === 'additionalProperties'
        ? `/${String(issue.params?.additionalProperty)}`
        : issue.keyword === 'required'
          ? `/${String(issue.params?.missingProperty)}`
          : '';
    const path = `${where}${`${issue.instancePath ?? ''}${extra}`.replaceAll('/', '.')}`;
    const message = issue.keyword === 'required' ? 'is required' : (issue.message ?? 'is invalid');
    return { path, message };
  });
  const message = issues.map((i) => `${i.path}: ${i.message}`).join('; ') || 'the request is invalid';
  return {
    status: 400,
    body: { error: { code: 'invalid_request', message, details: { issues } } },
    internal: false,
  };
}

/** Details go out as JSON: anything that is not plain data is dropped rather than leaked. */
function safeDetails(details: Record<string, unknown>): Record<string, unknown> {
  try {
    return JSON.parse(JSON.stringify(details)) as Record<string, unknown>;
  } catch {
    return {};
  }
}
