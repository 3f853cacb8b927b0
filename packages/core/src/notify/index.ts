export { compileNotify } from './compile-notify.js';
export { Notifier, type NotifierOptions } from './notifier.js';
export type { NotificationOptions, NotificationPayload, NotifyEvent, NotifyTarget } from './notify-types.js';
export { NOTIFY_EVENTS } from './notify-types.js';
export { signatureHeaders, verifySignature } from './sign.js';
