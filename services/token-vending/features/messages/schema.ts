/** The history API's shapes. */
import * as z from 'zod/mini';
import { integerQuery, named, nextToken } from '../../platform/fields.js';
import { HISTORY_LIMIT } from './store.js';

export const HistoryQuery = z.strictObject({
  limit: integerQuery('limit', HISTORY_LIMIT.min, HISTORY_LIMIT.max, HISTORY_LIMIT.default),
  nextToken,
});

export const HistoryMessage = named(
  z.object({
    id: z.string(),
    content: z.string(),
    sendTime: z.string(),
    sender: z.object({ userId: z.string(), attributes: z.record(z.string(), z.string()) }),
    attributes: z.record(z.string(), z.string()),
  }),
  'HistoryMessage',
  'A message as clients saw it live: `id` is the IVS message id, so history and live messages merge without duplicates. A held message a moderator approved is recorded under the id of its approval event.',
);
export const History = named(
  z.object({ messages: z.array(HistoryMessage), nextToken: z.optional(z.string()) }),
  'History',
);
