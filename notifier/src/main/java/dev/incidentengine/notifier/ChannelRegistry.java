package dev.incidentengine.notifier;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import dev.incidentengine.notifier.channel.Channel;
import dev.incidentengine.notifier.channel.EmailChannel;
import dev.incidentengine.notifier.channel.PagerDutyChannel;
import dev.incidentengine.notifier.channel.PhoneChannel;
import dev.incidentengine.notifier.channel.Secrets;
import dev.incidentengine.notifier.channel.SlackChannel;
import dev.incidentengine.notifier.channel.SlackWarRoomChannel;
import dev.incidentengine.notifier.channel.SlackWebhookChannel;
import dev.incidentengine.notifier.channel.StatusEmailChannel;
import dev.incidentengine.notifier.channel.StatusWebhookChannel;
import dev.incidentengine.notifier.channel.TeamsChannel;
import dev.incidentengine.notifier.channel.WebhookChannel;
import dev.incidentengine.notifier.delivery.HttpDelivery;
import dev.incidentengine.notifier.delivery.RetryPolicy;
import dev.incidentengine.notifier.status.StatusMessages;

/**
 * The channels this notifier can deliver through, by the name requests use. Channels whose provider
 * is not configured (no SMTP host, no SMS account) are absent: their deliveries fail with a clear
 * error, and a page moves on to the user's next contact method.
 */
final class ChannelRegistry {

    private ChannelRegistry() {
    }

    static Map<String, Channel> channels(NotifierConfig config, Secrets secrets) {
        Duration timeout = config.millis(NotifierConfig.HTTP_TIMEOUT_MS_CONFIG);
        RetryPolicy retry = retryPolicy(config);
        HttpClient client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(timeout.compareTo(Duration.ofSeconds(5)) < 0 ? timeout : Duration.ofSeconds(5))
                .build();
        HttpDelivery.Sleeper sleeper = duration -> Thread.sleep(duration.toMillis());
        HttpDelivery http = new HttpDelivery(client, retry, sleeper);
        Map<String, Channel> channels = new HashMap<>();
        channels.put("webhook", new WebhookChannel(http, secrets, timeout, config.getString(NotifierConfig.WEBHOOK_SECRET_CONFIG)));
        channels.put("slack-webhook", new SlackWebhookChannel(http, timeout));
        channels.put(StatusMessages.WEBHOOK_CHANNEL, new StatusWebhookChannel(http, timeout));
        channels.put("teams", new TeamsChannel(http, timeout));
        channels.put("pagerduty", new PagerDutyChannel(http, secrets, timeout, URI.create(config.getString(NotifierConfig.PAGERDUTY_URL_CONFIG))));
        channels.put("slack", new SlackChannel(http, secrets, timeout, URI.create(config.getString(NotifierConfig.SLACK_API_URL_CONFIG)),
                config.getString(NotifierConfig.SLACK_TOKEN_SECRET_CONFIG)));
        String warRoomToken = config.getString(NotifierConfig.WARROOM_SLACK_TOKEN_SECRET_CONFIG);
        if (warRoomToken != null && !warRoomToken.isBlank()) {
            channels.put(SlackWarRoomChannel.NAME, new SlackWarRoomChannel(http, secrets, timeout,
                    URI.create(config.getString(NotifierConfig.SLACK_API_URL_CONFIG)), warRoomToken));
        }
        String account = config.getString(NotifierConfig.SMS_ACCOUNT_CONFIG);
        if (account != null) {
            URI base = URI.create(config.getString(NotifierConfig.SMS_URL_CONFIG));
            String token = config.getString(NotifierConfig.SMS_TOKEN_SECRET_CONFIG);
            String from = config.getString(NotifierConfig.SMS_FROM_CONFIG);
            channels.put("sms", new PhoneChannel(http, secrets, timeout, PhoneChannel.Mode.SMS, base, account, token, from));
            channels.put("voice", new PhoneChannel(http, secrets, timeout, PhoneChannel.Mode.VOICE, base, account, token, from));
        }
        String smtpHost = config.getString(NotifierConfig.SMTP_HOST_CONFIG);
        if (smtpHost != null) {
            EmailChannel email = new EmailChannel(new EmailChannel.SmtpSettings(smtpHost, config.getInt(NotifierConfig.SMTP_PORT_CONFIG),
                    config.getString(NotifierConfig.SMTP_USERNAME_CONFIG), config.getString(NotifierConfig.SMTP_PASSWORD_SECRET_CONFIG),
                    config.getString(NotifierConfig.SMTP_FROM_CONFIG), EmailChannel.Tls.valueOf(config.getString(NotifierConfig.SMTP_TLS_CONFIG)),
                    timeout), secrets, retry, sleeper);
            channels.put("email", email);
            channels.put(StatusMessages.EMAIL_CHANNEL, new StatusEmailChannel(email));
        }
        return channels;
    }

    static RetryPolicy retryPolicy(NotifierConfig config) {
        return new RetryPolicy(config.getInt(NotifierConfig.RETRY_ATTEMPTS_CONFIG), config.millis(NotifierConfig.RETRY_BASE_MS_CONFIG), config.millis(NotifierConfig.RETRY_CAP_MS_CONFIG),
                Math::random);
    }
}
