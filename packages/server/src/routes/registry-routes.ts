import { pushJson, type Registry, type VersionStatus, versionJson } from '@weft/core';
import type { FastifyInstance } from 'fastify';
import { iso } from '../runs/run-json.js';
import { errorResponses } from '../schemas/common.js';
import {
  definitionSummarySchema,
  nameParams,
  nameVersionParams,
  pushResultSchema,
  versionSchema,
  versionStatusSchema,
} from '../schemas/definition.js';

interface Params {
  name: string;
}
interface VersionParams extends Params {
  version: number;
}

/**
 * The routes every registry has, under `prefix` (`/api/v1/workflows`): list, get, versions, push,
 * diff, rollback, status and delete. Errors come from the registry (404 unknown, 409 conflicts,
 * 400 invalid documents with their problems).
 */
export function registryRoutes(
  app: FastifyInstance,
  options: { prefix: string; tag: string; noun: string; registry: () => Registry },
): void {
  const { prefix, tag, noun } = options;
  const registry = options.registry;

  app.get(
    prefix,
    {
      schema: {
        tags: [tag],
        summary: `List registered ${noun}s`,
        response: {
          200: {
            type: 'object',
            required: [`${noun}s`],
            properties: { [`${noun}s`]: { type: 'array', items: definitionSummarySchema } },
          },
          ...errorResponses,
        },
      },
      config: { scope: 'read' },
    },
    async () => {
      const list = await registry().list();
      return {
        [`${noun}s`]: list.map((d) => ({
          name: d.name,
          latest: d.latest,
          active: d.active,
          versions: d.versions,
          updated_at: iso(d.updatedAt),
        })),
      };
    },
  );

  app.post<{ Body: { source: string; message?: string; status?: 'draft' | 'active'; file?: string } }>(
    prefix,
    {
      schema: {
        tags: [tag],
        summary: `Push a ${noun} document: a new version when its content changed`,
        description:
          'Validates the document as `weft validate` does (400 with every problem when it is invalid) and stores it: 201 with a new version, or 200 when the content equals the latest version (nothing stored) or a draft was updated in place.',
        body: {
          type: 'object',
          required: ['source'],
          additionalProperties: false,
          properties: {
            source: { type: 'string', minLength: 1, description: 'The document text, YAML or JSON' },
            message: { type: 'string', maxLength: 2000, description: "The version's summary" },
            status: { type: 'string', enum: ['draft', 'active'], default: 'active' },
            file: { type: 'string', maxLength: 500, description: 'Name used in problems' },
          },
        },
        response: { 200: pushResultSchema, 201: pushResultSchema, ...errorResponses },
      },
      config: { scope: 'write' },
    },
    async (request, reply) => {
      const { source, message, status, file } = request.body;
      const outcome = await registry().push(source, { message, status, path: file ?? null });
      reply.code(outcome.created ? 201 : 200);
      return pushJson(outcome);
    },
  );

  app.get<{ Params: Params; Querystring: { version?: number } }>(
    `${prefix}/:name`,
    {
      schema: {
        tags: [tag],
        summary: `Get a ${noun}: its active version (else the newest) with the document`,
        params: nameParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { version: { type: 'integer', minimum: 1 } },
        },
        response: { 200: versionSchema, ...errorResponses },
      },
      config: { scope: 'read' },
    },
    async (request) => versionJson(await registry().show(request.params.name, request.query.version), true),
  );

  app.get<{ Params: Params }>(
    `${prefix}/:name/versions`,
    {
      schema: {
        tags: [tag],
        summary: `List the versions of a ${noun}, oldest first`,
        params: nameParams,
        response: {
          200: {
            type: 'object',
            required: ['versions'],
            properties: { versions: { type: 'array', items: versionSchema } },
          },
          ...errorResponses,
        },
      },
      config: { scope: 'read' },
    },
    async (request) => ({
      versions: (await registry().versions(request.params.name)).map((v) => versionJson(v)),
    }),
  );

  app.get<{ Params: VersionParams }>(
    `${prefix}/:name/versions/:version`,
    {
      schema: {
        tags: [tag],
        summary: `Get one version of a ${noun} with its document`,
        params: nameVersionParams,
        response: { 200: versionSchema, ...errorResponses },
      },
      config: { scope: 'read' },
    },
    async (request) => versionJson(await registry().show(request.params.name, request.params.version), true),
  );

  app.put<{ Params: VersionParams; Body: { status: VersionStatus } }>(
    `${prefix}/:name/versions/:version/status`,
    {
      schema: {
        tags: [tag],
        summary: `Set the status of a ${noun} version`,
        description:
          'Activating a version deprecates the one active before. A version that left draft cannot return to it (409).',
        params: nameVersionParams,
        body: {
          type: 'object',
          required: ['status'],
          additionalProperties: false,
          properties: { status: versionStatusSchema },
        },
        response: {
          200: {
            type: 'object',
            required: ['version', 'deprecated'],
            properties: { version: versionSchema, deprecated: { type: ['integer', 'null'] } },
          },
          ...errorResponses,
        },
      },
      config: { scope: 'write' },
    },
    async (request) => {
      const { name, version } = request.params;
      const changed = await registry().setStatus(name, version, request.body.status);
      return { version: versionJson(changed.version), deprecated: changed.deprecated };
    },
  );

  app.get<{ Params: Params; Querystring: { from: number; to: number } }>(
    `${prefix}/:name/diff`,
    {
      schema: {
        tags: [tag],
        summary: 'A unified diff of two versions of the document',
        params: nameParams,
        querystring: {
          type: 'object',
          required: ['from', 'to'],
          additionalProperties: false,
          properties: { from: { type: 'integer', minimum: 1 }, to: { type: 'integer', minimum: 1 } },
        },
        response: {
          200: { type: 'object', required: ['diff'], properties: { diff: { type: 'string' } } },
          ...errorResponses,
        },
      },
      config: { scope: 'read' },
    },
    async (request) => ({
      diff: await registry().diff(request.params.name, request.query.from, request.query.to),
    }),
  );

  app.post<{ Params: Params; Body: { version: number; message?: string } }>(
    `${prefix}/:name/rollback`,
    {
      schema: {
        tags: [tag],
        summary: "Make an old version's content active again, as a new version",
        params: nameParams,
        body: {
          type: 'object',
          required: ['version'],
          additionalProperties: false,
          properties: {
            version: { type: 'integer', minimum: 1 },
            message: { type: 'string', maxLength: 2000 },
          },
        },
        response: { 200: pushResultSchema, 201: pushResultSchema, ...errorResponses },
      },
      config: { scope: 'write' },
    },
    async (request, reply) => {
      const outcome = await registry().rollback(
        request.params.name,
        request.body.version,
        request.body.message,
      );
      reply.code(outcome.created ? 201 : 200);
      return pushJson(outcome);
    },
  );

  app.delete<{ Params: Params; Querystring: { force?: boolean } }>(
    `${prefix}/:name`,
    {
      schema: {
        tags: [tag],
        summary: `Delete a ${noun} and all its versions`,
        description:
          'Refused (409) while runs of the workflow have not ended, unless `force=true`; runs keep their own copy of the document.',
        params: nameParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { force: { type: 'boolean', default: false } },
        },
        response: {
          200: { type: 'object', required: ['deleted'], properties: { deleted: { type: 'integer' } } },
          ...errorResponses,
        },
      },
      config: { scope: 'admin' },
    },
    async (request) => ({
      deleted: await registry().remove(request.params.name, { force: request.query.force === true }),
    }),
  );
}
