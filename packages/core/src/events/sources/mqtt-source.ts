import type { Deliver, EventSource, SourceConnection } from './event-source.js';
import type { MqttSourceSettings } from './source-settings.js';

/** MQTT topics (wildcards allowed); the type defaults to the topic a message was published on. */
export function mqttSource(settings: MqttSourceSettings): EventSource {
  return {
    name: `mqtt ${settings.url}`,
    async connect(deliver: Deliver): Promise<SourceConnection> {
      const mqtt = await import('mqtt');
      const client = await mqtt.connectAsync(settings.url, { reconnectPeriod: 0, connectTimeout: 2000 });
      const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
      // Messages are delivered one after another, in arrival order.
      let chain = Promise.resolve();
      client.on('message', (topic, body) => {
        chain = chain.then(() => deliver({ subject: topic, body }));
      });
      await client.subscribeAsync(settings.topics, { qos: settings.qos });
      return {
        closed,
        close: async () => {
          await client.endAsync();
        },
      };
    },
  };
}
