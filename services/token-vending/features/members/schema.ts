/** The members API's shapes. */
import * as z from 'zod/mini';
import { ROOM_ROLES } from '../../../../shared/access/model.js';
import { body, maxResults, named, nextToken, oneOf, roomId, userPath } from '../../platform/fields.js';

export const GRANTABLE_ROLES = ['member', 'moderator'] as const;

export const MemberParams = z.strictObject({ roomId, userId: userPath });
export const MembersQuery = z.strictObject({ maxResults, nextToken });
export const PutMemberBody = named(body({ role: oneOf('role', GRANTABLE_ROLES) }), 'PutMember');

export const Member = named(
  z.object({ userId: z.string(), role: z.enum(ROOM_ROLES), since: z.string() }),
  'Member',
);
export const MemberList = named(
  z.object({ members: z.array(Member), nextToken: z.optional(z.string()) }),
  'MemberList',
);
