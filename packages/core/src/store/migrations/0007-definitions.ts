import type { Migration } from './migration.js';

const TABLES = (t: { int: string; text: string; json: string }) => `
  CREATE TABLE definition_versions (
    kind ${t.text} NOT NULL,
    name ${t.text} NOT NULL,
    version integer NOT NULL,
    status ${t.text} NOT NULL,
    source ${t.text} NOT NULL,
    hash ${t.text} NOT NULL,
    summary ${t.text},
    origin ${t.json},
    created_at ${t.int} NOT NULL,
    updated_at ${t.int} NOT NULL,
    PRIMARY KEY (kind, name, version)
  );
  CREATE UNIQUE INDEX definition_versions_active ON definition_versions (kind, name) WHERE status = 'active';
  CREATE TABLE definition_names (
    kind ${t.text} NOT NULL,
    name ${t.text} NOT NULL,
    last_version integer NOT NULL,
    PRIMARY KEY (kind, name)
  );
`;

const DOWN = `
  DROP TABLE definition_names;
  DROP TABLE definition_versions;
`;

/**
 * The registry (registry/): versions of workflows and templates. `definition_names` holds the last
 * version number ever given, so numbers are never reused after a delete and pushes of one name
 * serialise on its row.
 */
export const definitions: Migration = {
  version: 7,
  name: 'definitions',
  sqlite: { up: TABLES({ int: 'INTEGER', text: 'TEXT', json: 'TEXT' }), down: DOWN },
  postgres: { up: TABLES({ int: 'bigint', text: 'text', json: 'jsonb' }), down: DOWN },
};
