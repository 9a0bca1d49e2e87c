package dev.incidentengine.status;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import javax.xml.parsers.DocumentBuilderFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.incidentengine.model.MaintenanceStatus;
import dev.incidentengine.model.PublicImpact;
import dev.incidentengine.model.PublicIncidentStatus;
import dev.incidentengine.status.domain.PageEvents;
import dev.incidentengine.status.domain.PublicPage;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;

import static org.assertj.core.api.Assertions.assertThat;

/** Hostile public text (markup, ampersands, quotes, a CDATA end, a control character) through every format the site serves. */
class StatusEscapingTest {

    private static final String TITLE = "<script>alert(\"x\")</script> & 'quoted' ]]> <img src=x onerror=alert(1)>";
    private static final String MESSAGE = "Update </li><script>steal()</script> & \u0001 \"done\" ]]>";
    private static final Instant T0 = Instant.parse("2026-12-05T10:00:00Z");

    private static PageSnapshot snapshot() {
        PageEvents log = new PageEvents("public");
        PublicPage page = new PublicPage("public");
        log.configured(T0, "Acme <b>&</b> \"Co\"", "UTC", "api", "API <i>", "Group's \"<g>\"");
        log.incident(T0, "inc\"<1>", TITLE, PublicImpact.MAJOR, PublicIncidentStatus.INVESTIGATING, T0, MESSAGE, List.of("api"));
        log.maintenance(T0, "m<1>", TITLE, MaintenanceStatus.IN_PROGRESS, T0, T0.plusSeconds(3600), MESSAGE, List.of("api"));
        log.written().forEach(page::apply);
        return PageSnapshot.render(page, T0.plusSeconds(60));
    }

    private static String text(PageSnapshot snapshot, String path) {
        return new String(snapshot.documents().get(path).body(), StandardCharsets.UTF_8);
    }

    @Test
    void htmlShowsTheTextAndRunsNothing() {
        PageSnapshot snapshot = snapshot();
        for (String path : List.of("/status", "/status/history")) {
            String html = text(snapshot, path);
            assertThat(html).doesNotContain("<script>alert", "<script>steal", "<img src=x", "<b>&</b>", "API <i>", "\"<1>");
            assertThat(html).contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quoted&#39; ]]&gt; &lt;img src=x onerror=alert(1)&gt;");
            assertThat(html).contains("Update &lt;/li&gt;&lt;script&gt;steal()&lt;/script&gt; &amp;");
            // The only script is the site's own module.
            assertThat(html.split("<script", -1)).hasSize(2);
        }
    }

    @Test
    void feedsAreWellFormedXmlThatCarryTheTextExactly() throws Exception {
        PageSnapshot snapshot = snapshot();
        Document atom = parse(text(snapshot, "/status/history.atom"));
        Document rss = parse(text(snapshot, "/status/history.rss"));

        assertThat(texts(atom.getElementsByTagNameNS("http://www.w3.org/2005/Atom", "title"))).contains(TITLE);
        assertThat(texts(rss.getElementsByTagName("title"))).contains(TITLE);
        // The updates travel as escaped HTML: decoded once it is HTML text, never markup.
        String content = texts(atom.getElementsByTagNameNS("http://www.w3.org/2005/Atom", "content")).get(0);
        assertThat(content).contains("Update &lt;/li&gt;&lt;script&gt;steal()&lt;/script&gt; &amp;").doesNotContain("<script");
        assertThat(texts(rss.getElementsByTagName("description")).get(1)).contains("&lt;script&gt;steal()");
        assertThat(text(snapshot, "/status/history.atom")).doesNotContain("\u0001");
    }

    @Test
    void jsonCarriesTheTextExactly() throws Exception {
        PageSnapshot snapshot = snapshot();
        JsonNode summary = new ObjectMapper().readTree(snapshot.documents().get("/api/v2/summary.json").body());

        assertThat(summary.at("/page/name").asText()).isEqualTo("Acme <b>&</b> \"Co\"");
        assertThat(summary.at("/incidents/0/name").asText()).isEqualTo(TITLE);
        assertThat(summary.at("/incidents/0/incident_updates/0/body").asText()).isEqualTo(MESSAGE);
        assertThat(summary.at("/scheduled_maintenances/0/name").asText()).isEqualTo(TITLE);
    }

    private static Document parse(String xml) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        return factory.newDocumentBuilder().parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
    }

    private static List<String> texts(NodeList nodes) {
        List<String> texts = new java.util.ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) {
            texts.add(nodes.item(i).getTextContent());
        }
        return texts;
    }
}
