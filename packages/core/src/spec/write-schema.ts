import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { workflowJsonSchema } from './json-schema.js';

/** `node packages/core/dist/spec/write-schema.js <out>`: writes the workflow JSON Schema. */
const out = process.argv[2];
if (!out) {
  console.error('usage: write-schema <out.json>');
  process.exit(2);
}
await mkdir(dirname(out), { recursive: true });
await writeFile(out, `${JSON.stringify(workflowJsonSchema(), null, 2)}\n`);
