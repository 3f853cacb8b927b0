import WebSocket from 'ws';

export interface WsMessage {
  type: string;
  id?: string;
  subscription?: string;
  event?: { cursor: string; run_id: string; seq: number; type: string; workflow: string };
  reason?: string;
  cursor?: string;
  error?: { code: string; message: string };
}

/** A WebSocket client that collects every JSON message, for tests. */
export class WsClient {
  readonly messages: WsMessage[] = [];
  closeCode: number | undefined;
  closeReason = '';
  readonly opened: Promise<void>;
  readonly closed: Promise<void>;

  constructor(
    url: string,
    headers: Record<string, string> = {},
    readonly socket = new WebSocket(url, { headers }),
  ) {
    this.opened = new Promise((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
      socket.once('unexpected-response', (_req, res) =>
        reject(new Error(`upgrade answered ${res.statusCode}`)),
      );
    });
    this.closed = new Promise((resolve) => {
      socket.once('close', (code, reason) => {
        this.closeCode = code;
        this.closeReason = reason.toString();
        resolve();
      });
    });
    socket.on('message', (data) => this.messages.push(JSON.parse(data.toString()) as WsMessage));
  }

  send(message: object): void {
    this.socket.send(JSON.stringify(message));
  }

  events(subscription = 'default'): NonNullable<WsMessage['event']>[] {
    return this.messages.flatMap((m) =>
      m.type === 'event' && m.subscription === subscription && m.event ? [m.event] : [],
    );
  }

  async until(check: (client: WsClient) => boolean, timeoutMs = 15_000): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (!check(this)) {
      if (Date.now() > end)
        throw new Error(`WebSocket condition not met; messages: ${JSON.stringify(this.messages.slice(-5))}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  close(): Promise<void> {
    this.socket.close();
    return this.closed;
  }
}
