/**
 * Whether a listen address keeps a server on this machine. The emulator's control plane accepts
 * unsigned requests and the dev login mints any identity: bound anywhere else, anyone who can reach
 * the port can use them.
 */
export function isLoopbackHost(host: string): boolean {
  const name = host
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, '');
  if (name === 'localhost' || name === '::1' || name === '0:0:0:0:0:0:0:1') return true;
  // 127.0.0.0/8, written as a dotted quad or mapped into IPv6.
  return /^(::ffff:)?127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name);
}
