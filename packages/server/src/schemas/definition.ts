/** Registered workflows (and templates) and their versions, as the API answers them. */

const status = { type: 'string', enum: ['draft', 'active', 'deprecated', 'archived'] } as const;

export const definitionSummarySchema = {
  type: 'object',
  required: ['name', 'latest', 'active', 'versions', 'updated_at'],
  properties: {
    name: { type: 'string' },
    latest: { type: 'integer' },
    active: { type: ['integer', 'null'] },
    versions: { type: 'integer' },
    updated_at: { type: 'string', format: 'date-time' },
  },
} as const;

export const versionSchema = {
  type: 'object',
  required: ['name', 'version', 'status', 'summary', 'hash', 'origin', 'created_at', 'updated_at'],
  properties: {
    name: { type: 'string' },
    version: { type: 'integer' },
    status,
    summary: { type: ['string', 'null'] },
    hash: { type: 'string' },
    origin: { type: ['object', 'null'], additionalProperties: true },
    created_at: { type: 'string', format: 'date-time' },
    updated_at: { type: 'string', format: 'date-time' },
    runs: { type: 'integer', description: 'Runs that started with this version (workflows)' },
    source: { type: 'string', description: 'The document as pushed' },
  },
} as const;

export const pushResultSchema = {
  type: 'object',
  required: ['name', 'version', 'status', 'created', 'updated', 'deprecated', 'message'],
  properties: {
    name: { type: 'string' },
    path: { type: ['string', 'null'], description: 'The file name given with the push' },
    version: { type: 'integer' },
    status,
    created: { type: 'boolean', description: 'A new version was stored' },
    updated: { type: 'boolean', description: 'The latest draft was changed in place' },
    deprecated: { type: ['integer', 'null'], description: 'The version this push deprecated' },
    message: { type: 'string' },
  },
} as const;

export const nameParams = {
  type: 'object',
  required: ['name'],
  properties: { name: { type: 'string', minLength: 1, maxLength: 200 } },
} as const;

export const nameVersionParams = {
  type: 'object',
  required: ['name', 'version'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 200 },
    version: { type: 'integer', minimum: 1 },
  },
} as const;

export const versionStatusSchema = status;
