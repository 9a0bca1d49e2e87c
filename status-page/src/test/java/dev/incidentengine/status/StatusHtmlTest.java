package dev.incidentengine.status;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.incidentengine.model.PublicImpact;
import dev.incidentengine.model.PublicIncidentStatus;
import dev.incidentengine.status.domain.PageEvents;
import dev.incidentengine.status.domain.PublicPage;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class StatusHtmlTest {

    private static final Instant T0 = Instant.parse("2026-12-05T08:00:00Z");

    @Test
    void aBusyDayOfHistoryIsCutToItsNewestIncidentsAndUpdates_andNoIdIsUsedTwice() {
        PageEvents log = new PageEvents("public");
        PublicPage page = new PublicPage("public");
        log.configured(T0, "Acme", "UTC", "api", "API", null);
        for (int i = 0; i < 30; i++) {
            Instant created = T0.plusSeconds(i * 60L);
            for (int u = 0; u < 8; u++) {
                PublicIncidentStatus status = i == 29 || u < 7 ? PublicIncidentStatus.INVESTIGATING : PublicIncidentStatus.RESOLVED;
                log.incident(created.plusSeconds(u), "i" + i, "Incident " + i, PublicImpact.MINOR, status, created, "Update " + u, List.of("api"));
            }
        }
        log.written().forEach(page::apply);

        PageSnapshot snapshot = PageSnapshot.render(page, T0.plus(Duration.ofHours(2)));
        String status = new String(snapshot.documents().get("/status").body(), StandardCharsets.UTF_8);
        String history = new String(snapshot.documents().get("/status/history").body(), StandardCharsets.UTF_8);

        String today = history.substring(history.indexOf("<div class=\"day\">"), history.indexOf("</div>", history.indexOf("<div class=\"day\">")));
        assertThat(count(today, "<article ")).isEqualTo(StatusHtml.DAY_ENTRIES);
        assertThat(today).contains("And 10 more").contains("3 earlier updates");
        assertThat(count(today, "<li><strong class=\"update-status\">")).isEqualTo(StatusHtml.DAY_ENTRIES * StatusHtml.HISTORY_UPDATES);
        // The open incident shows every update where it is current, and once more, cut, in the day's history.
        assertThat(count(status, "Update 0")).isEqualTo(1);
        for (String html : List.of(status, history)) {
            Set<String> ids = new HashSet<>();
            Matcher id = Pattern.compile(" id=\"([^\"]+)\"").matcher(html);
            while (id.find()) {
                assertThat(ids.add(id.group(1))).as("id %s once", id.group(1)).isTrue();
            }
        }
    }

    private static long count(String text, String what) {
        return Pattern.compile(Pattern.quote(what)).matcher(text).results().count();
    }
}
