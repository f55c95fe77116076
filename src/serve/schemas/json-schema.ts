// Small builders for the routes' JSON schemas: fastify validates requests and serialises replies
// with them (a reply holds exactly the fields described, nothing more), and @fastify/swagger turns
// them into the OpenAPI document.

declare const described: unique symbol;

/**
 * A JSON schema, as fastify and OpenAPI read it, that knows the TypeScript type T it describes (a
 * type only: nothing of it exists at run time). T is invariant, so `const s: Schema<Report> = obj(…)`
 * fails to compile when the schema and the report type differ by a field either way.
 */
export type SchemaOf<T> = Record<string, unknown> & { readonly [described]?: (value: T) => T };

/** Any JSON schema, whatever it describes. */
export type Schema = Record<string, unknown> & { readonly [described]?: (value: never) => unknown };

/** The type a schema describes. */
export type Described<S> = S extends SchemaOf<infer T> ? T : never;

export const str: SchemaOf<string> = { type: 'string' };
export const num: SchemaOf<number> = { type: 'number' };
export const int: SchemaOf<number> = { type: 'integer' };
export const bool: SchemaOf<boolean> = { type: 'boolean' };

/** One of these strings. */
export function oneOf<T extends string>(...values: T[]): SchemaOf<T> {
  return { type: 'string', enum: values };
}

/** SCHEMA or null. */
export function nullable<T>(schema: SchemaOf<T>): SchemaOf<T | null> {
  const plain: Record<string, unknown> = schema;
  return { ...plain, type: [plain.type as string, 'null'] };
}

/** An array of ITEMS. */
export function arr<T>(items: SchemaOf<T>): SchemaOf<T[]> {
  return { type: 'array', items };
}

/** An object with these properties, every one required. */
export function obj<P extends Record<string, Schema>>(
  properties: P,
): SchemaOf<{ [K in keyof P]: Described<P[K]> }> {
  return { type: 'object', properties, required: Object.keys(properties), additionalProperties: false };
}

/** An object whose keys are free (counts by state) and whose values are SCHEMA. */
export function map<T>(values: SchemaOf<T>): SchemaOf<Record<string, T>> {
  return { type: 'object', additionalProperties: values };
}

/** The error body of every refusal: { error }. */
export const errorBody = obj({ error: str });

/** The reply schemas every API route shares: its own 200, and the refusals. */
export function replies(ok: Schema): Record<number, Schema> {
  return { 200: ok, 400: errorBody, 401: errorBody, 403: errorBody, 404: errorBody };
}
