import { defineSkill } from '@weft/core';

/** Turns a title into a URL slug: `Hello, World!` -> `hello-world`. */
export default defineSkill<{ title: string; max_length?: number }, { slug: string }>({
  name: 'text.slugify',
  description: 'Turn a title into a URL slug',
  input: {
    type: 'object',
    properties: { title: { type: 'string' }, max_length: { type: 'integer', minimum: 1 } },
    required: ['title'],
    additionalProperties: false,
  },
  run({ title, max_length = 60 }, ctx) {
    const slug = title
      .normalize('NFKD')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, max_length);
    ctx.logger.info(`slugified '${title}'`);
    return { slug };
  },
});
