/** Why a request is refused, as HTTP says it. */
export type RefusalStatus = 400 | 401 | 403 | 404;

/**
 * A request `tranche serve` refuses: the status and a message for the caller. Fastify's error
 * handler reads statusCode; the message is safe to show (it never carries a token or a cookie).
 */
export class HttpRefusal extends Error {
  readonly statusCode: RefusalStatus;

  constructor(statusCode: RefusalStatus, message: string) {
    super(message);
    this.name = 'HttpRefusal';
    this.statusCode = statusCode;
  }
}

/** 403: the caller is known but may not see this. */
export const forbidden = (what: string): HttpRefusal => new HttpRefusal(403, `forbidden: ${what}`);
