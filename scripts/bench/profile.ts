/**
 * CPU profiles for the benches: taken from within the measured process through the inspector (so the
 * profile covers exactly the load's window, and nothing depends on how the process ends), and summed
 * by module: self time per npm package, per folder of the project, per part of Node.
 */
import { Session } from 'node:inspector/promises';
import { isRecord } from '../../shared/json.js';

/** The parts of a V8 `.cpuprofile` the summary reads. */
export interface CpuProfile {
  readonly nodes: readonly {
    readonly id: number;
    readonly callFrame: { readonly functionName: string; readonly url: string };
  }[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

function isCpuProfile(value: unknown): value is CpuProfile {
  return (
    isRecord(value) &&
    Array.isArray(value.nodes) &&
    Array.isArray(value.samples) &&
    Array.isArray(value.timeDeltas)
  );
}

export interface Profiler {
  start(): Promise<void>;
  /** Stops and returns the profile taken since start(). */
  stop(): Promise<CpuProfile>;
}

/** A sampling profiler of this process (`intervalMicros` between samples). */
export async function createProfiler(intervalMicros = 250): Promise<Profiler> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: intervalMicros });
  return {
    start: async () => {
      await session.post('Profiler.start');
    },
    stop: async () => {
      const { profile } = await session.post('Profiler.stop');
      if (!isCpuProfile(profile)) throw new Error('the profiler answered no profile');
      return profile;
    },
  };
}

/**
 * The module a frame belongs to: an npm package by name (`express`, `@smithy/core`), a folder of the
 * project (`services/token-vending/auth`, `shared/logger`), a part of Node (`node:http`, `node:streams`),
 * or V8's own entries (`(garbage collector)`, `(program)`).
 */
export function moduleOf(url: string, functionName: string, root: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg?.[1] !== undefined) return pkg[1];
  if (url.startsWith('node:')) {
    const name = url.slice('node:'.length).replace(/^internal\//, '');
    const first = (name.split('/')[0] ?? name).replace(/^_/, '').split('_')[0] ?? name;
    return `node:${first}`;
  }
  const path = url.replace(/^file:\/\//, '');
  const relative = path.startsWith(root) ? path.slice(root.length).replace(/^\//, '') : path;
  const parts = relative.replace(/\.[cm]?[jt]s$/, '').split('/');
  // services/<deployable>/<folder> and lambdas/<function>; shared/<folder>; scripts/<file or folder>.
  const depth = parts[0] === 'services' ? 3 : 2;
  return parts.slice(0, depth).join('/');
}

/** Self time (microseconds) by module, the idle time left out. */
export function selfTimeByModule(profile: CpuProfile, root: string): Map<string, number> {
  const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const byModule = new Map<string, number>();
  profile.samples.forEach((id, index) => {
    const frame = frames.get(id);
    const delta = profile.timeDeltas[index] ?? 0;
    if (!frame || frame.functionName === '(idle)') return;
    const name = moduleOf(frame.url, frame.functionName, root);
    byModule.set(name, (byModule.get(name) ?? 0) + delta);
  });
  return byModule;
}

export interface FrameCost {
  /** `function (file:line)`, or V8's own entry. */
  readonly frame: string;
  readonly module: string;
  readonly micros: number;
}

/** The frames with the most self time, the idle time left out. */
export function topFrames(profile: CpuProfile, root: string, count: number): FrameCost[] {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const byFrame = new Map<string, FrameCost>();
  profile.samples.forEach((id, index) => {
    const frame = nodes.get(id);
    const delta = profile.timeDeltas[index] ?? 0;
    if (!frame || frame.functionName === '(idle)') return;
    const module = moduleOf(frame.url, frame.functionName, root);
    const file = frame.url
      .replace(/^file:\/\//, '')
      .replace(/^.*node_modules\//, '')
      .replace(root + '/', '');
    const name = `${frame.functionName || '(anonymous)'}${file === '' ? '' : ` (${file})`}`;
    const previous = byFrame.get(name);
    byFrame.set(name, { frame: name, module, micros: (previous?.micros ?? 0) + delta });
  });
  return [...byFrame.values()].sort((a, b) => b.micros - a.micros).slice(0, count);
}

/** Total sampled time, the idle time left out (microseconds). */
export function busyMicros(profile: CpuProfile): number {
  const idle = new Set(
    profile.nodes.filter((node) => node.callFrame.functionName === '(idle)').map((node) => node.id),
  );
  return profile.samples.reduce(
    (sum, id, index) => sum + (idle.has(id) ? 0 : (profile.timeDeltas[index] ?? 0)),
    0,
  );
}
