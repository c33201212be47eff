import { Icon as LineIcon } from '../ui/icons.tsx';

/** Line icons for the Talk page, on the app's icon base (24×24, currentColor, inline for the CSP). */
const Icon = (props: { size?: number; children: Parameters<typeof LineIcon>[0]['children'] }) => (
  <LineIcon class="talk-icon" size={props.size ?? 20}>
    {props.children}
  </LineIcon>
);

export const MicOnIcon = (p: { size?: number }) => (
  <Icon {...p}>
    <rect x="9" y="2" width="6" height="12" rx="3" />
    <path d="M5 10a7 7 0 0 0 14 0" />
    <path d="M12 17v4" />
  </Icon>
);

export const MicOffIcon = (p: { size?: number }) => (
  <Icon {...p}>
    <path d="M3 3l18 18" />
    <path d="M9 9v1a3 3 0 0 0 5.1 2.1M15 9.3V5a3 3 0 0 0-5.8-1" />
    <path d="M5 10a7 7 0 0 0 11.2 5.6M19 10a7 7 0 0 1-.6 2.8" />
    <path d="M12 17v4" />
  </Icon>
);

export const HangUpIcon = (p: { size?: number }) => (
  <Icon {...p}>
    <path d="M3.5 14.5c4.7-4.2 12.3-4.2 17 0l-1.8 2.6a1 1 0 0 1-1.3.3l-2.5-1.3a1 1 0 0 1-.5-1l.2-1.6a9.5 9.5 0 0 0-5.2 0l.2 1.6a1 1 0 0 1-.5 1l-2.5 1.3a1 1 0 0 1-1.3-.3z" />
  </Icon>
);

export const SpeakerIcon = (p: { size?: number }) => (
  <Icon {...p}>
    <path d="M11 5L6 9H3v6h3l5 4z" />
    <path d="M15.5 8.5a5 5 0 0 1 0 7M18.5 5.5a9 9 0 0 1 0 13" />
  </Icon>
);

export const AlertIcon = (p: { size?: number }) => (
  <Icon {...p}>
    <circle cx="12" cy="12" r="9" />
    <path d="M12 7.5v5.5" />
    <path d="M12 16.5h.01" />
  </Icon>
);

export const CloseIcon = (p: { size?: number }) => (
  <Icon {...p}>
    <path d="M6 6l12 12M18 6L6 18" />
  </Icon>
);
