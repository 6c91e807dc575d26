/** What the features are built from: the clients, the configuration they read, the clock, the log. */
import type { IvschatClient } from '@aws-sdk/client-ivschat';
import type { Logger } from '../../../shared/logger.js';
import type { Table } from '../../../shared/table/client.js';
import type { ChatPolicy } from '../access/chat-policy.js';
import type { RoomsConfig } from '../config.js';

export interface ServiceDeps {
  readonly ivs: IvschatClient;
  readonly table: Table;
  /** The region of the IVS rooms (room ids become ARNs with it). */
  readonly region: string;
  readonly rooms: RoomsConfig;
  readonly policy: ChatPolicy;
  /** Milliseconds since the epoch. */
  readonly clock: () => number;
  readonly logger: Logger;
}
