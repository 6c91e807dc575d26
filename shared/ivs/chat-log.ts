/**
 * Where IVS Chat logging puts a room's records in CloudWatch Logs: one log stream per room, named
 * `aws/IVSChatLogs/1.0/room_<room id>` (the name AWS's own chat logging walkthrough reads), in the
 * log group of the room's logging configuration. The emulator writes the same names, and the
 * chat-history Lambda reads the room id back from them (a record itself does not name its room).
 */
export const CHAT_LOG_VERSION = '1.0';

export function chatLogStreamName(roomId: string): string {
  return `aws/IVSChatLogs/${CHAT_LOG_VERSION}/room_${roomId}`;
}

const ROOM_STREAM = /^aws\/IVSChatLogs\/[^/]+\/room_([A-Za-z0-9]{12})$/;

/** The room id a chat log stream belongs to, or undefined for a stream that is not a room's. */
export function roomIdOfLogStream(logStream: string): string | undefined {
  return ROOM_STREAM.exec(logStream)?.[1];
}
