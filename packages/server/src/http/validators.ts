import { Ajv, type Options } from 'ajv';
import ajvFormats from 'ajv-formats';
import type { FastifyInstance } from 'fastify';

const COMMON: Options = { removeAdditional: false, useDefaults: true, allErrors: false, strict: false };

/**
 * Request validation: query strings, params and headers are text, so numbers in them are coerced;
 * a JSON body is taken as sent (`"source": 42` is an error, not the string "42").
 */
export function installValidators(app: FastifyInstance): void {
  const text = new Ajv({ ...COMMON, coerceTypes: 'array' });
  const json = new Ajv({ ...COMMON, coerceTypes: false });
  ajvFormats.default(text);
  ajvFormats.default(json);
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? json : text).compile(schema));
}
