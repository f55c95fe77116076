import { int, str } from '../schemas/json-schema.js';

/** The query string of a paged list: up to `limit` mailboxes after the address `after`. */
export interface PageQuery {
  after?: string;
  limit: number;
}

/** Its JSON schema (limit 1 to 1,000, default 100). */
export const pageQuery = {
  type: 'object',
  properties: { after: str, limit: { ...int, minimum: 1, maximum: 1000, default: 100 } },
  additionalProperties: false,
};
