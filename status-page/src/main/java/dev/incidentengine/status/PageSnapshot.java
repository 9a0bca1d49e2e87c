package dev.incidentengine.status;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

import dev.incidentengine.status.domain.PublicPage;

/**
 * Every public document of one version of the page, rendered once and served as bytes: the HTML pages,
 * the feeds and the API v2 documents, by path. Uptime is counted up to {@code asOf}: the later of the
 * page's last change and the start of the current {@link #UPTIME_STEP}, so instances that read the same
 * log render the same bytes and give them the same ETag: the page's version and that instant.
 */
record PageSnapshot(long version, Instant asOf, String etag, Map<String, Document> documents) {

    /** How often the uptime bars move forward without a change to the page. */
    static final Duration UPTIME_STEP = Duration.ofMinutes(5);

    /** A document's bytes, and the same gzipped once here (large pages of bars compress some twentyfold). */
    record Document(byte[] body, byte[] gzipped, String contentType) {

        Document(byte[] body, String contentType) {
            this(body, gzip(body), contentType);
        }
    }

    private static byte[] gzip(byte[] body) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(body.length / 8 + 64);
        // The fastest level: once per version, and bars this repetitive compress about as well at any level.
        try (GZIPOutputStream out = new GZIPOutputStream(bytes) {
            {
                def.setLevel(Deflater.BEST_SPEED);
            }
        }) {
            out.write(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static final String HTML = "text/html; charset=utf-8";
    static final String JSON = "application/json";
    static final String ATOM = "application/atom+xml; charset=utf-8";
    static final String RSS = "application/rss+xml; charset=utf-8";

    /** The instant a page of the given version is counted to at wall-clock time {@code now}. */
    static Instant asOf(PublicPage page, Instant now) {
        long step = UPTIME_STEP.toMillis();
        Instant stepStart = Instant.ofEpochMilli(Math.floorDiv(now.toEpochMilli(), step) * step);
        return page.updatedAt().isAfter(stepStart) ? page.updatedAt() : stepStart;
    }

    static PageSnapshot render(PublicPage page, Instant asOf) {
        String etag = "\"" + page.version() + "." + asOf.toEpochMilli() + "\"";
        Map<String, Document> documents = new LinkedHashMap<>();
        StatusHtml html = new StatusHtml(page, asOf, etag);
        documents.put("/status", new Document(html.statusPage().getBytes(StandardCharsets.UTF_8), HTML));
        documents.put("/status/history", new Document(html.historyPage().getBytes(StandardCharsets.UTF_8), HTML));
        StatusFeeds feeds = new StatusFeeds(page);
        documents.put("/status/history.atom", new Document(feeds.atom().getBytes(StandardCharsets.UTF_8), ATOM));
        documents.put("/status/history.rss", new Document(feeds.rss().getBytes(StandardCharsets.UTF_8), RSS));
        new StatusJson(page).documents().forEach((path, body) -> documents.put("/api/v2/" + path, new Document(body, JSON)));
        return new PageSnapshot(page.version(), asOf, etag, Map.copyOf(documents));
    }
}
