import type { FastifyInstance } from 'fastify';
import { mailboxDetail } from '../../report/mailbox-detail.js';
import { mailboxNotices } from '../../report/mailbox-notices.js';
import { apiScope } from '../auth/authenticate.js';
import { TrancheError } from '../../errors/tranche-error.js';
import { maySee, noSuchMailbox } from '../auth/scope.js';
import { arr, obj, replies, str } from '../schemas/json-schema.js';
import { mailboxDetail as detailSchema, mailboxNotice } from '../schemas/report-schemas.js';
import { explainMailbox } from '../lookup-explanation.js';
import type { ServeContext } from '../serve-context.js';

/** GET /api/mailboxes/:address: the helpdesk lookup — state, day, notices, passes, failures in plain words. */
export function lookupRoutes(app: FastifyInstance, ctx: ServeContext): void {
  app.get<{ Params: { address: string } }>(
    '/api/mailboxes/:address',
    {
      schema: {
        summary: 'One mailbox, as the helpdesk sees it (any case)',
        tags: ['lookup'],
        params: {
          type: 'object',
          properties: { address: { type: 'string', maxLength: 320 } },
          required: ['address'],
        },
        response: replies(obj({ explanation: arr(str), mailbox: detailSchema, notices: arr(mailboxNotice) })),
      },
    },
    async (request) => {
      const scope = await apiScope(ctx.db, request, 'lookup');
      const address = request.params.address;
      const mailbox = await mailboxDetail(ctx.db, address).catch((error: unknown) => {
        if (error instanceof TrancheError && error.type === 'usage') return undefined;
        throw error;
      });
      if (!mailbox || !maySee(scope, mailbox.organisation?.code ?? null)) throw noSuchMailbox(address);
      const notices = await mailboxNotices(ctx.db, mailbox.address);
      return { explanation: explainMailbox(mailbox, notices), mailbox, notices };
    },
  );
}
