import type { AlertChannelConfig } from "../definitions/alerts";
import type { AlertChannel } from "./channel";
import { emailChannel } from "./email-channel";
import { slackChannel } from "./slack-channel";
import { webhookChannel } from "./webhook-channel";

/** The adapter of each declared channel. */
export function createChannels(
  configs: readonly AlertChannelConfig[],
  timeoutMs: number,
): AlertChannel[] {
  return configs.map((config) => {
    switch (config.kind) {
      case "slack":
        return slackChannel(config, timeoutMs);
      case "webhook":
        return webhookChannel(config, timeoutMs);
      case "email":
        return emailChannel(config, timeoutMs);
    }
  });
}
