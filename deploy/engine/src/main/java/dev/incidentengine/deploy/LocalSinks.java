package dev.incidentengine.deploy;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.incidentengine.slack.SlackServer;
import jakarta.mail.Address;
import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.internet.MimeMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the local engine's notifications land: a webhook sink (HTTP, any path), an e-mail sink
 * (a real SMTP server, GreenMail) and a Slack-shaped Web API ({@link SlackServer}) for Slack pages, cards and war rooms.
 * Each notification is printed as it arrives, and {@code GET /} on the webhook sink lists the
 * latest ones as JSON; {@code GET /} on the Slack server lists its channels and their messages.
 *
 * <p>The webhook sink's HTTP server also stands in for the SMS and voice provider people's phone contacts need, with its
 * documented request and answer shapes, so that every contact of the example config can be reached locally: under
 * {@value #PHONE} a Twilio-compatible API ({@code POST /2010-04-01/Accounts/{sid}/Messages.json} and {@code Calls.json},
 * <a href="https://www.twilio.com/docs/messaging/api/message-resource#create-a-message-resource">Message</a> and
 * <a href="https://www.twilio.com/docs/voice/api/call-resource#create-a-call-resource">Call</a> resources: Basic auth, form
 * fields To, From and Body or Twiml; 201 with the resource's {@code sid}, errors as {@code {code, message, status}}).
 */
final class LocalSinks implements AutoCloseable {

    /** One notification that arrived: by e-mail (to) or webhook (path). */
    record Received(String at, String via, String to, String subject, String incidentId, String idempotencyKey, String text) {
    }

    private static final Logger log = LoggerFactory.getLogger(LocalSinks.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int KEPT = 500;
    /** The path of the local Twilio-compatible SMS and voice API (notifier.sms.url). */
    static final String PHONE = "/twilio";
    private static final Pattern PHONE_RESOURCE = Pattern.compile(PHONE + "/2010-04-01/Accounts/(AC[0-9a-zA-Z]+)/(Messages|Calls)\\.json");
    private static final Pattern E164 = Pattern.compile("\\+[1-9]\\d{6,14}");
    private final AtomicLong sequence = new AtomicLong();

    static {
        // Without TCP_NODELAY the JDK server's response body waits 40 ms for the client's delayed ACK.
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    private final HttpServer http;
    private final GreenMail mail;
    /** War rooms' Slack: null when the config has no local bot token. */
    private final SlackServer slack;
    private final ScheduledExecutorService mailWatch = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "local-mail-sink");
        thread.setDaemon(true);
        return thread;
    });
    private final Deque<Received> received = new ArrayDeque<>();
    private final Set<String> mailsSeen = new HashSet<>();

    private LocalSinks(HttpServer http, GreenMail mail, SlackServer slack) {
        this.http = http;
        this.mail = mail;
        this.slack = slack;
    }

    /**
     * @param webhookPort 0 for any free port; @param smtpPort 0 for any free port
     * @param slackToken  the bot token the Slack-shaped server accepts (on any free port); null: none runs
     */
    static LocalSinks start(String bind, int webhookPort, int smtpPort, String slackToken) throws IOException {
        HttpServer http = HttpServer.create(new InetSocketAddress(bind, webhookPort), 64);
        ServerSetup smtp = new ServerSetup(smtpPort, bind, ServerSetup.PROTOCOL_SMTP);
        GreenMail mail = new GreenMail(smtpPort == 0 ? smtp.dynamicPort() : smtp);
        LocalSinks sinks = new LocalSinks(http, mail, slackToken == null ? null : SlackServer.start(bind, 0, slackToken));
        http.createContext("/", sinks::handle);
        http.start();
        mail.start();
        sinks.mailWatch.scheduleWithFixedDelay(sinks::collectMail, 200, 200, TimeUnit.MILLISECONDS);
        return sinks;
    }

    String webhookUrl() {
        return "http://" + http.getAddress().getHostString() + ":" + http.getAddress().getPort();
    }

    int smtpPort() {
        return mail.getSmtp().getPort();
    }

    /** The Slack-shaped server of war rooms, or null. */
    SlackServer slack() {
        return slack;
    }

    List<Received> received() {
        synchronized (received) {
            return List.copyOf(received);
        }
    }

    /** An answer of a provider: its status and JSON body. */
    private record Answer(int status, Object body) {
    }

    private void handle(HttpExchange exchange) throws IOException {
        int status = 200;
        byte[] answer;
        try {
            String path = exchange.getRequestURI().getPath();
            if (exchange.getRequestMethod().equals("GET")) {
                answer = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(received());
            } else if (path.startsWith(PHONE + "/")) {
                Answer provider = phone(exchange, path);
                status = provider.status();
                answer = JSON.writeValueAsBytes(provider.body());
            } else {
                answer = take(exchange);
            }
        } catch (IOException | RuntimeException e) {
            log.warn("Local webhook sink: {}", e.toString());
            status = 500;
            answer = JSON.writeValueAsBytes(Map.of("error", e.toString()));
        }
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, answer.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(answer);
        }
    }

    private byte[] take(HttpExchange exchange) throws IOException {
        JsonNode json = readJson(exchange.getRequestBody().readAllBytes());
        keep(new Received(Instant.now().toString(), "webhook", exchange.getRequestURI().getPath(),
                json.path("incident").path("title").asText(json.path("kind").asText("")), json.path("incident").path("id").asText(null),
                exchange.getRequestHeaders().getFirst("Idempotency-Key"),
                json.path("kind").asText("") + (json.hasNonNull("text") ? ": " + json.get("text").asText() : "")));
        return "{\"ok\":true}".getBytes(StandardCharsets.UTF_8);
    }

    /** Twilio's Messages and Calls resources: a message or call is "queued" once its fields are valid. */
    private Answer phone(HttpExchange exchange, String path) throws IOException {
        Matcher resource = PHONE_RESOURCE.matcher(path);
        if (!resource.matches()) {
            return new Answer(404, Map.of("code", 20404, "message", "The requested resource " + path + " was not found", "status", 404));
        }
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        if (authorization == null || !authorization.startsWith("Basic ") || !new String(Base64.getDecoder().decode(authorization.substring(6)),
                StandardCharsets.UTF_8).startsWith(resource.group(1) + ":")) {
            return new Answer(401, Map.of("code", 20003, "message", "Authenticate", "status", 401));
        }
        Map<String, String> form = form(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        boolean sms = resource.group(2).equals("Messages");
        String to = form.get("To");
        if (to == null || !E164.matcher(to).matches()) {
            return new Answer(400, Map.of("code", 21211, "message", "Invalid 'To' Phone Number: " + to, "status", 400));
        }
        String content = form.get(sms ? "Body" : "Twiml");
        if (content == null || content.isBlank()) {
            return new Answer(400, sms ? Map.of("code", 21602, "message", "Message body is required.", "status", 400)
                    : Map.of("code", 21205, "message", "Url parameter is required.", "status", 400));
        }
        String sid = (sms ? "SM" : "CA") + String.format("%032x", sequence.incrementAndGet());
        keep(new Received(Instant.now().toString(), sms ? "sms" : "voice", to, sms ? content.lines().findFirst().orElse("") : "call",
                null, exchange.getRequestHeaders().getFirst("Idempotency-Key"), content));
        return new Answer(201, Map.of("sid", sid, "account_sid", resource.group(1), "to", to, "from", form.getOrDefault("From", ""),
                "status", "queued"));
    }

    private static Map<String, String> form(String body) {
        Map<String, String> form = new LinkedHashMap<>();
        for (String pair : body.split("&")) {
            int equals = pair.indexOf('=');
            if (equals > 0) {
                form.put(URLDecoder.decode(pair.substring(0, equals), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8));
            }
        }
        return form;
    }

    private static JsonNode readJson(byte[] body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            return JSON.createObjectNode().put("text", new String(body, StandardCharsets.UTF_8));
        }
    }

    /** GreenMail lists messages by mailbox, not by arrival, so new ones are told apart by Message-ID (one per notification). */
    private void collectMail() {
        for (MimeMessage message : mail.getReceivedMessages()) {
            try {
                if (!mailsSeen.add(message.getMessageID())) {
                    continue;
                }
                Address[] to = message.getAllRecipients();
                keep(new Received(Instant.now().toString(), "e-mail", to == null ? "" : String.join(", ", Stream.of(to).map(Address::toString).toList()),
                        message.getSubject(), message.getHeader("X-Incident-Id", null), message.getMessageID(), plainText(message)));
            } catch (MessagingException | IOException e) {
                log.warn("Unreadable e-mail in the local sink: {}", e.toString());
            }
        }
    }

    private static String plainText(Part part) throws MessagingException, IOException {
        if (part.isMimeType("text/plain")) {
            return part.getContent().toString();
        }
        if (part.getContent() instanceof Multipart multipart) {
            for (int i = 0; i < multipart.getCount(); i++) {
                String text = plainText(multipart.getBodyPart(i));
                if (text != null) {
                    return text;
                }
            }
        }
        return null;
    }

    private void keep(Received message) {
        System.out.println("[sink] " + message.via() + " " + message.to() + ": " + message.subject());
        synchronized (received) {
            received.addLast(message);
            if (received.size() > KEPT) {
                received.removeFirst();
            }
        }
    }

    @Override
    public void close() {
        if (slack != null) {
            slack.close();
        }
        mailWatch.shutdownNow();
        http.stop(0);
        mail.stop();
    }
}
