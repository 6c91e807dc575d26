/**
 * Test helpers: the chat-history fixtures, a real dynalite table on 127.0.0.1:0, and the handler
 * built over it with a fixed clock (the fixtures' records are dated 2026-01-05).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { createLogger, type Logger } from '../../../shared/logger.js';
import { createTableClient, type Table } from '../../../shared/table/client.js';
import { keys } from '../../../shared/table/keys.js';
import { startLocalTable, type LocalTable } from '../../../services/local-dynamodb/start.js';
import { loadConfig } from '../../../lambdas/chat-history/config.js';
import { createHistoryHandler, type HistoryHandler } from '../../../lambdas/chat-history/history-handler.js';
import { HISTORY_EVENTS } from '../../../scripts/history-events.js';

export const ROOM_ID = 'AbCdEfGh1234';
export const NOW = Date.parse('2026-01-05T15:00:00.000Z');

export function loadEvent(name: string): unknown {
  return JSON.parse(readFileSync(join(HISTORY_EVENTS, `${name}.json`), 'utf8'));
}

export function loadDecoded(name: string): unknown {
  return JSON.parse(readFileSync(join(HISTORY_EVENTS, 'decoded', `${name}.json`), 'utf8'));
}

export interface TableHarness {
  readonly local: LocalTable;
  readonly table: Table;
  readonly close: () => Promise<void>;
}

export async function startTable(): Promise<TableHarness> {
  const local = await startLocalTable();
  const client = createTableClient({
    endpoint: local.endpoint,
    region: local.region,
    dummyCredentials: true,
  });
  return {
    local,
    table: { name: local.tableName, client },
    close: async () => {
      client.destroy();
      await local.close();
    },
  };
}

/** Log lines the handler wrote, parsed. */
export function capturingLogger(): { logger: Logger; lines: Record<string, unknown>[]; text: () => string } {
  const raw: string[] = [];
  const logger = createLogger({
    level: 'debug',
    write: (line) => {
      raw.push(line);
    },
  });
  return {
    logger,
    get lines() {
      return raw.map((line) => JSON.parse(line) as Record<string, unknown>);
    },
    text: () => raw.join('\n'),
  };
}

export function historyHandler(
  table: Table,
  options: { env?: Record<string, string>; logger?: Logger; now?: () => number } = {},
): HistoryHandler {
  return createHistoryHandler({
    config: loadConfig({ CHAT_TABLE: table.name, ...options.env }),
    table,
    logger: options.logger ?? createLogger({ level: 'silent' }),
    now: options.now ?? (() => NOW),
  });
}

export async function getItem(
  table: Table,
  key: { pk: string; sk: string },
): Promise<Record<string, unknown> | undefined> {
  const result = await table.client.send(
    new GetCommand({ TableName: table.name, Key: key, ConsistentRead: true }),
  );
  return result.Item;
}

export const messageKey = (id: string): { pk: string; sk: string } => keys.message(ROOM_ID, id);
export const tombstoneKey = (id: string): { pk: string; sk: string } => keys.deletedMessage(ROOM_ID, id);
