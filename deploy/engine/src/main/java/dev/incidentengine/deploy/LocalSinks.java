package dev.incidentengine.deploy;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.incidentengine.testkit.SlackServer;
import jakarta.mail.Address;
import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.internet.MimeMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the local engine's notifications land: a webhook sink (HTTP, any path), an e-mail sink
 * (a real SMTP server, GreenMail) and, for war rooms, a Slack-shaped Web API ({@link SlackServer}).
 * Each notification is printed as it arrives, and {@code GET /} on the webhook sink lists the
 * latest ones as JSON; {@code GET /} on the Slack server lists its channels and their messages.
 */
final class LocalSinks implements AutoCloseable {

    /** One notification that arrived: by e-mail (to) or webhook (path). */
    record Received(String at, String via, String to, String subject, String incidentId, String idempotencyKey, String text) {
    }

    private static final Logger log = LoggerFactory.getLogger(LocalSinks.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int KEPT = 500;

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

    private void handle(HttpExchange exchange) throws IOException {
        int status = 200;
        byte[] answer;
        try {
            answer = exchange.getRequestMethod().equals("GET") ? JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(received())
                    : take(exchange);
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
