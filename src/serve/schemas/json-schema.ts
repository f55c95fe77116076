// Small builders for the routes' JSON schemas: fastify validates requests and serialises replies
// with them (a reply holds exactly the fields described, nothing more), and @fastify/swagger turns
// them into the OpenAPI document.

/** A JSON schema, as fastify and OpenAPI read it. */
export type Schema = Record<string, unknown>;

export const str: Schema = { type: 'string' };
export const num: Schema = { type: 'number' };
export const int: Schema = { type: 'integer' };
export const bool: Schema = { type: 'boolean' };

/** SCHEMA or null. */
export function nullable(schema: Schema): Schema {
  return { ...schema, type: [schema.type as string, 'null'] };
}

/** An array of ITEMS. */
export function arr(items: Schema): Schema {
  return { type: 'array', items };
}

/** An object with these properties, every one required. */
export function obj(properties: Record<string, Schema>): Schema {
  return { type: 'object', properties, required: Object.keys(properties), additionalProperties: false };
}

/** An object whose keys are free (counts by state) and whose values are SCHEMA. */
export function map(values: Schema): Schema {
  return { type: 'object', additionalProperties: values };
}

/** The error body of every refusal: { error }. */
export const errorBody = obj({ error: str });

/** The reply schemas every API route shares: its own 200, and the refusals. */
export function replies(ok: Schema): Record<number, Schema> {
  return { 200: ok, 400: errorBody, 401: errorBody, 403: errorBody, 404: errorBody };
}
