import {
  type LocalAudioTrack,
  type RemoteTrack,
  Room,
  Track,
  createAudioAnalyser,
  createLocalAudioTrack,
} from 'livekit-client';
import type { RoomAccess } from '../api/auth-api.ts';
import type { BrowserSession } from '../session/browser-session.ts';
import { levelFromVolume } from './audio-level.ts';
import type { LevelMeter, TalkDependencies } from './talk-controller.ts';
import { TalkSetupError } from './talk-errors.ts';

/** The Talk controller's dependencies in the browser: the real microphone, service and livekit-client. */
export function browserTalkDependencies(
  session: BrowserSession,
  audioContainer: () => HTMLElement | null,
): TalkDependencies<LocalAudioTrack, RemoteTrack> {
  return {
    async createMicrophone() {
      if (!window.isSecureContext) {
        throw new TalkSetupError('insecure-context', 'The microphone needs a secure page');
      }
      if (!navigator.mediaDevices?.getUserMedia) {
        throw new TalkSetupError('no-media-devices', 'This browser offers no microphone access');
      }
      return createLocalAudioTrack({
        echoCancellation: true,
        noiseSuppression: true,
        autoGainControl: true,
      });
    },
    requestRoomAccess: () =>
      session.request<RoomAccess>({ method: 'POST', path: '/auth/token', body: {} }),
    createRoom: () =>
      new Room({
        // Audio only: nothing to adapt or simulcast.
        adaptiveStream: false,
        dynacast: false,
        disconnectOnPageLeave: true,
      }),
    createLevelMeter: (track) => analyserMeter(track),
    attachAgentAudio(track) {
      const element = track.attach();
      element.classList.add('talk-agent-audio');
      audioContainer()?.append(element);
      return () => {
        for (const detached of track.detach()) detached.remove();
      };
    },
    setTimeout: (run, ms) => window.setTimeout(run, ms),
    clearTimeout: (handle) => window.clearTimeout(handle as number),
  };
}

function analyserMeter(track: LocalAudioTrack | RemoteTrack): LevelMeter {
  if (track.kind !== Track.Kind.Audio) return { level: () => 0, stop: () => undefined };
  try {
    const { calculateVolume, cleanup } = createAudioAnalyser(
      track as Parameters<typeof createAudioAnalyser>[0],
    );
    return { level: () => levelFromVolume(calculateVolume()), stop: cleanup };
  } catch {
    // No Web Audio here: the conversation works, only the meter stays still.
    return { level: () => 0, stop: () => undefined };
  }
}
