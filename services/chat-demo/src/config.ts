import { IVS_LIMITS } from '../../../shared/ivs/limits.js';
import { isRecord } from '../../../shared/json.js';
import { parsePinned, type Pinned } from './pinned.js';
import { parseModes, type RoomModes } from './room-modes.js';

/**
 * What the page needs to know about where it runs. It is read from `config.json` beside the page, so
 * the same built files work behind the local stack and on any static host.
 */
export interface DemoConfig {
  /** Prefix of the token service's URLs; `""` when the page is served by the token service itself. */
  readonly apiBaseUrl: string;
  readonly roomArn: string;
  /** `ws://…` for the local emulator, `wss://edge.ivschat.<region>.amazonaws.com` on AWS. */
  readonly messagingUrl: string;
  /** The room's maximumMessageLength, in code points. */
  readonly maximumMessageLength: number;
  /** The room's modes when the page was served (the token service adds them; a static host may not). */
  readonly modes?: RoomModes;
  /** The room's pinned message when the page was served, likewise. */
  readonly pinned?: Pinned;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'INVALID_CONFIG';
}

// A loose shape check only: the token service validates the ARN (and the room's existence) for real.
const ROOM_ARN_SHAPE = /^arn:[a-z-]+:ivschat:[a-z0-9-]+:[0-9]{12}:room\/[a-zA-Z0-9]+$/;

/** Validates the parsed `config.json`; every problem is named so a deployer can fix the file. */
export function parseDemoConfig(value: unknown): DemoConfig {
  if (!isRecord(value)) throw new ConfigError('config.json must be a JSON object');
  const { apiBaseUrl = '', roomArn, messagingUrl, maximumMessageLength, modes, pinned } = value;
  const problems: string[] = [];
  if (typeof apiBaseUrl !== 'string' || (apiBaseUrl !== '' && !/^https?:\/\//.test(apiBaseUrl))) {
    problems.push('apiBaseUrl must be "" (same origin) or an http(s) URL');
  }
  if (typeof roomArn !== 'string' || !ROOM_ARN_SHAPE.test(roomArn)) {
    problems.push('roomArn must be an IVS Chat room ARN');
  }
  if (typeof messagingUrl !== 'string' || !/^wss?:\/\/[^\s]+$/.test(messagingUrl)) {
    problems.push('messagingUrl must be a ws:// or wss:// URL');
  }
  const { min, max, default: fallback } = IVS_LIMITS.maximumMessageLength;
  const length = maximumMessageLength ?? fallback;
  if (typeof length !== 'number' || !Number.isInteger(length) || length < min || length > max) {
    problems.push(`maximumMessageLength must be an integer from ${min} to ${max}`);
  }
  const roomModes = modes === undefined ? undefined : parseModes(modes);
  if (modes !== undefined && roomModes === undefined) {
    problems.push('modes must be {slowModeSeconds: 0-3600, membersOnlySend, holdForReview}');
  }
  const roomPin = pinned === undefined ? undefined : parsePinned(pinned);
  if (pinned !== undefined && roomPin === undefined)
    problems.push('pinned must be {text, by, at, messageId?}');
  if (
    problems.length > 0 ||
    typeof apiBaseUrl !== 'string' ||
    typeof roomArn !== 'string' ||
    typeof messagingUrl !== 'string' ||
    typeof length !== 'number'
  ) {
    throw new ConfigError(`config.json: ${problems.join('; ')}`);
  }
  return {
    apiBaseUrl: apiBaseUrl.replace(/\/+$/, ''),
    roomArn,
    messagingUrl,
    maximumMessageLength: length,
    ...(roomModes === undefined ? {} : { modes: roomModes }),
    ...(roomPin === undefined ? {} : { pinned: roomPin }),
  };
}
