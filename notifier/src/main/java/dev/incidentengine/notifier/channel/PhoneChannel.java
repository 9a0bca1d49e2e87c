package dev.incidentengine.notifier.channel;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

import dev.incidentengine.notifier.delivery.HttpDelivery;

/** SMS or a voice call through a Twilio-compatible API; the address is the E.164 number to reach. */
public final class PhoneChannel implements Channel {

    public enum Mode { SMS, VOICE }

    private static final int MAX_SMS = 1600;
    // Spoken twice, and Twilio takes at most 4000 chars of TwiML.
    private static final int MAX_SPOKEN = 1800;

    private final HttpDelivery delivery;
    private final Secrets secrets;
    private final Duration requestTimeout;
    private final Mode mode;
    private final URI resource;
    private final String accountSid;
    private final String authTokenSecret;
    private final String from;

    /** {@code baseUri} is https://api.twilio.com in production. */
    public PhoneChannel(HttpDelivery delivery, Secrets secrets, Duration requestTimeout, Mode mode, URI baseUri, String accountSid,
            String authTokenSecret, String from) {
        if (accountSid == null || !accountSid.matches("[A-Za-z0-9]+")) {
            throw new IllegalArgumentException("account SID must be letters and digits");
        }
        if (authTokenSecret == null || from == null || from.isBlank()) {
            throw new IllegalArgumentException("auth token secret and From number are required");
        }
        this.delivery = delivery;
        this.secrets = secrets;
        this.requestTimeout = requestTimeout;
        this.mode = mode;
        this.resource = URI.create(ChannelRequests.httpUri(baseUri.toString()).toString().replaceAll("/+$", "")
                + "/2010-04-01/Accounts/" + accountSid + (mode == Mode.SMS ? "/Messages.json" : "/Calls.json"));
        this.accountSid = accountSid;
        this.authTokenSecret = authTokenSecret;
        this.from = from;
    }

    @Override
    public String endpoint(Message message) {
        return ChannelRequests.endpoint(mode == Mode.SMS ? "sms:" : "voice:", resource.toString());
    }

    @Override
    public Result send(Message message) throws InterruptedException {
        return ChannelRequests.guarded(() -> {
            if (message.address() == null || message.address().isBlank()) {
                throw new IllegalArgumentException("no phone number in address");
            }
            String credentials = accountSid + ":" + ChannelRequests.secret(secrets, authTokenSecret);
            Map<String, String> form = new LinkedHashMap<>();
            form.put("To", message.address().strip());
            form.put("From", from);
            if (mode == Mode.SMS) {
                form.put("Body", ChannelRequests.cut(lines(message, "\n"), MAX_SMS));
            } else {
                String say = "<Say>" + xml(ChannelRequests.cut(lines(message, ". "), MAX_SPOKEN)) + "</Say>";
                form.put("Twiml", "<Response>" + say + "<Pause length=\"1\"/>" + say + "</Response>");
            }
            HttpDelivery.Outcome outcome = delivery.send(ChannelRequests.post(resource, requestTimeout, message.deliveryId(),
                            "application/x-www-form-urlencoded", formEncoded(form))
                    .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)))
                    .build());
            return Result.of(outcome, ChannelRequests.field(outcome.body(), "sid"));
        });
    }

    private static String lines(Message message, String separator) {
        return message.text() == null || message.text().isBlank() ? message.title() : message.title() + separator + message.text();
    }

    private static byte[] formEncoded(Map<String, String> form) {
        return form.entrySet().stream()
                .map(field -> field.getKey() + "=" + URLEncoder.encode(field.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"))
                .getBytes(StandardCharsets.UTF_8);
    }

    private static String xml(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;").replace("'", "&apos;");
    }
}
