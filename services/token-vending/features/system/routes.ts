/**
 * The service's own routes: liveness, readiness (the table and IVS answer), the OpenAPI document, and
 * where the service serves the demo page, its /config.json (with the room's live modes and pin).
 */
import { ListRoomsCommand } from '@aws-sdk/client-ivschat';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { parseRoomArn } from '../../../../shared/ivs/arn.js';
import { describeError } from '../../../../shared/logger.js';
import { keys } from '../../../../shared/table/keys.js';
import type { ServiceDeps } from '../../platform/deps.js';
import { describeCause } from '../../platform/problem.js';
import { defineRoute, type Route } from '../../platform/route.js';
import { named } from '../../platform/fields.js';
import { getRoom } from '../rooms/store.js';
import { Pinned, RoomModes } from '../rooms/schema.js';

/** IVS is asked at most this often per instance: ListRooms shares the 5 TPS of room operations. */
export const IVS_READINESS_TTL_MS = 30_000;

const Check = z.object({ ok: z.boolean(), ms: z.number(), error: z.optional(z.string()) });
const Readiness = named(
  z.object({ status: z.enum(['ready', 'not_ready']), checks: z.object({ table: Check, ivs: Check }) }),
  'Readiness',
);
const Health = named(z.object({ status: z.literal('ok') }), 'Health');
export const SiteConfig = named(
  z.looseObject({
    apiBaseUrl: z.string(),
    roomArn: z.string(),
    messagingUrl: z.string(),
    maximumMessageLength: z.number(),
    maximumMessageRatePerSecond: z.number(),
    modes: z.optional(RoomModes),
    pinned: z.optional(Pinned),
  }),
  'SiteConfig',
  "What the demo page needs: where the API and the room's messaging endpoint are, the room and its limits, modes and pin.",
);

export interface SiteOptions {
  readonly dir: string;
  /** Served as GET /config.json (with the room's live modes and pin added). */
  readonly config: Readonly<Record<string, unknown>>;
  /** Extra CSP connect-src entries (the emulator's ws:// URL). */
  readonly connectSources: readonly string[];
}

type CheckResult = z.output<typeof Check>;

async function timed(check: () => Promise<unknown>): Promise<CheckResult> {
  const started = performance.now();
  try {
    await check();
    return { ok: true, ms: Math.round(performance.now() - started) };
  } catch (error) {
    const cause = describeCause(error);
    return {
      ok: false,
      ms: Math.round(performance.now() - started),
      // Name and code only: the body is public, and a message can name internal hosts.
      error: [cause.errorName, cause.errorCode, cause.upstreamStatus]
        .filter((part) => typeof part === 'string' || typeof part === 'number')
        .join(' '),
    };
  }
}

export function systemRoutes(
  deps: ServiceDeps,
  options: { readonly openApi: () => unknown; readonly site: SiteOptions | undefined },
): Route[] {
  let ivsCheck: { at: number; result: CheckResult } | undefined;
  const routes: Route[] = [
    defineRoute({
      operationId: 'health',
      method: 'get',
      path: '/healthz',
      tag: 'system',
      summary: 'Liveness: the process answers',
      description: 'Says nothing of the table or IVS: see /readyz.',
      auth: 'none',
      responses: { 200: { description: 'Alive', schema: Health } },
      problems: [],
      handler: () => ({ body: { status: 'ok' } }),
    }),
    defineRoute({
      operationId: 'ready',
      method: 'get',
      path: '/readyz',
      tag: 'system',
      summary: 'Readiness: the table and IVS Chat answer',
      description: `The table is read on every call; IVS at most every ${IVS_READINESS_TTL_MS / 1000} s per instance (ListRooms shares the 5 TPS of room operations).`,
      auth: 'none',
      responses: {
        200: { description: 'Ready', schema: Readiness },
        503: { description: 'Not ready: a check failed (its error says which)', schema: Readiness },
      },
      problems: [],
      handler: async () => {
        const table = await timed(() =>
          deps.table.client.send(
            new GetCommand({ TableName: deps.table.name, Key: keys.room('readinesscheck') }),
          ),
        );
        const now = deps.clock();
        if (ivsCheck === undefined || now - ivsCheck.at >= IVS_READINESS_TTL_MS || !ivsCheck.result.ok) {
          ivsCheck = {
            at: now,
            result: await timed(() => deps.ivs.send(new ListRoomsCommand({ maxResults: 1 }))),
          };
        }
        const ready = table.ok && ivsCheck.result.ok;
        if (!ready) {
          deps.logger.warn('not ready', { table: table.error ?? 'ok', ivs: ivsCheck.result.error ?? 'ok' });
        }
        return {
          status: ready ? 200 : 503,
          body: { status: ready ? 'ready' : 'not_ready', checks: { table, ivs: ivsCheck.result } },
        };
      },
    }),
    defineRoute({
      operationId: 'openApi',
      method: 'get',
      path: '/openapi.json',
      tag: 'system',
      summary: 'This document',
      auth: 'none',
      responses: { 200: { description: 'OpenAPI 3.1' } },
      problems: [],
      handler: () => ({ body: options.openApi(), headers: { 'Cache-Control': 'public, max-age=60' } }),
    }),
  ];
  const site = options.site;
  if (site) {
    routes.push(
      defineRoute({
        operationId: 'siteConfig',
        method: 'get',
        path: '/config.json',
        tag: 'system',
        summary: "The demo page's configuration",
        auth: 'none',
        responses: { 200: { description: 'Where the page runs', schema: SiteConfig } },
        problems: [],
        handler: async () => {
          const roomId = parseRoomArn(site.config.roomArn)?.id;
          let live = {};
          if (roomId !== undefined) {
            try {
              const room = await getRoom(deps.table, roomId);
              if (room) live = { modes: room.modes, ...(room.pinned ? { pinned: room.pinned } : {}) };
            } catch (error) {
              // The page still works without them: it learns modes and pins from events and GET.
              deps.logger.warn('config.json without the room state', describeError(error));
            }
          }
          return { body: { ...site.config, ...live } };
        },
      }),
    );
  }
  return routes;
}
