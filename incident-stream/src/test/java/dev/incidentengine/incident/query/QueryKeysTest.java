package dev.incidentengine.incident.query;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

import dev.incidentengine.model.IncidentState;
import dev.incidentengine.model.IncidentStatus;
import dev.incidentengine.model.Severity;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class QueryKeysTest {

    static IncidentState state(String id, String openedAt, IncidentStatus status, String service, String assignee) {
        return IncidentState.newBuilder()
                .setIncidentId(id)
                .setVersion(1)
                .setStatus(status)
                .setSeverity(Severity.SEV2)
                .setTitle("High error rate on " + service)
                .setService(service)
                .setAssigneeUserId(assignee)
                .setOpenedAt(Instant.parse(openedAt))
                .build();
    }

    @Test
    void anIncidentIsListedUnderEachDimensionItHasAValueFor() {
        List<String> keys = QueryKeys.index(state("INC-1", "2026-12-04T10:00:00Z", IncidentStatus.TRIGGERED, "checkout", null));

        assertThat(keys).hasSize(4).allSatisfy(key -> assertThat(QueryKeys.incidentId(key)).isEqualTo("INC-1"));
        assertThat(keys).anySatisfy(key -> assertThat(key).startsWith(QueryKeys.prefix(QueryKeys.Dimension.STATUS, "TRIGGERED")))
                .anySatisfy(key -> assertThat(key).startsWith(QueryKeys.prefix(QueryKeys.Dimension.SERVICE, "checkout")))
                .noneSatisfy(key -> assertThat(key).startsWith(QueryKeys.prefix(QueryKeys.Dimension.ASSIGNEE, "")));
        assertThat(QueryKeys.index(state("INC-1", "2026-12-04T10:00:00Z", IncidentStatus.TRIGGERED, "checkout", "alice")))
                .contains(QueryKeys.prefix(QueryKeys.Dimension.ASSIGNEE, "alice")
                        + QueryKeys.position(Instant.parse("2026-12-04T10:00:00Z"), "INC-1"));
    }

    @Test
    void keysSortNewestFirst_thenById_andAPrefixAndItsEndBoundExactlyItsKeys() {
        TreeSet<String> keys = new TreeSet<>();
        keys.addAll(QueryKeys.index(state("INC-old", "2025-01-01T00:00:00Z", IncidentStatus.TRIGGERED, "checkout", null)));
        keys.addAll(QueryKeys.index(state("INC-b", "2026-12-04T10:00:00Z", IncidentStatus.TRIGGERED, "checkout", null)));
        keys.addAll(QueryKeys.index(state("INC-a", "2026-12-04T10:00:00Z", IncidentStatus.TRIGGERED, "checkout", null)));
        keys.addAll(QueryKeys.index(state("INC-new", "2026-12-04T11:00:00Z", IncidentStatus.TRIGGERED, "checkout", null)));
        // A service whose name starts with the other's: its keys must not fall into "checkout"'s range.
        keys.addAll(QueryKeys.index(state("INC-x", "2026-12-04T12:00:00Z", IncidentStatus.TRIGGERED, "checkout-eu", null)));
        keys.addAll(QueryKeys.index(state("INC-y", "2026-12-04T12:00:00Z", IncidentStatus.TRIGGERED, "checkout\u0000z", null)));

        String prefix = QueryKeys.prefix(QueryKeys.Dimension.SERVICE, "checkout");
        List<String> ids = new ArrayList<>();
        keys.subSet(prefix, QueryKeys.end(prefix)).forEach(key -> ids.add(QueryKeys.incidentId(key)));

        assertThat(ids).containsExactly("INC-new", "INC-a", "INC-b", "INC-old");
    }

    @Test
    void aPositionIsTheTailOfItsIndexKey() {
        String position = QueryKeys.position(Instant.parse("2026-12-04T10:00:00Z"), "INC-1");

        assertThat(QueryKeys.positionOf(QueryKeys.prefix(QueryKeys.Dimension.SEVERITY, "SEV2") + position)).isEqualTo(position);
        assertThat(QueryKeys.positionOf(QueryKeys.prefix(QueryKeys.Dimension.ALL, "") + position)).isEqualTo(position);
    }

    @Test
    void eventKeysSortBySequenceThenOffset_withinTheirIncidentsRange() {
        // A rejection carries the sequence of the event before it: the offset keeps them apart, in log order.
        TreeSet<String> keys = new TreeSet<>(List.of(QueryKeys.event("INC-1", 10, 7), QueryKeys.event("INC-1", 9, 5),
                QueryKeys.event("INC-10", 1, 6), QueryKeys.event("INC-1", 100, 9), QueryKeys.event("INC-1", 10, 8)));

        assertThat(keys.subSet(QueryKeys.eventsFrom("INC-1", 10), QueryKeys.eventsEnd("INC-1"))).containsExactly(
                QueryKeys.event("INC-1", 10, 7), QueryKeys.event("INC-1", 10, 8), QueryKeys.event("INC-1", 100, 9));
    }

    @Test
    void joinedKeysSplitBack() {
        List<String> keys = QueryKeys.index(state("INC-1", "2026-12-04T10:00:00Z", IncidentStatus.RESOLVED, "a\u0001b", "bob"));

        assertThat(QueryKeys.split(QueryKeys.join(keys))).isEqualTo(keys);
    }

    @Test
    void searchWordsAreLowerCaseRunsOfLettersAndDigits_cutAtSixtyFourCharacters_withoutRepeats() {
        assertThat(QueryKeys.words("High error-rate on Checkout (checkout-API) 5xx; Café")).containsExactly("high", "error", "rate", "on",
                "checkout", "api", "5xx", "café");
        assertThat(QueryKeys.words(" -- ")).isEmpty();
        assertThat(QueryKeys.words("a".repeat(100))).containsExactly("a".repeat(64));
    }
}
