package dev.incidentengine.incident.feed;

import java.util.Set;

import dev.incidentengine.model.IncidentStatus;
import dev.incidentengine.service.api.ApiError;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FeedPositionAndFilterTest {

    @Test
    void aPositionIsOneOffsetPerPartition_andReadsBackAsWritten() {
        long[] offsets = {120, 0, 37, 5, 9, 64};
        assertThat(FeedPosition.render(offsets)).isEqualTo("120.0.37.5.9.64");
        assertThat(FeedPosition.parse("120.0.37.5.9.64", 6)).containsExactly(offsets);
        assertThat(FeedPosition.ahead(new long[] {1, 5}, new long[] {2, 4})).isTrue();
        assertThat(FeedPosition.ahead(new long[] {1, 4}, new long[] {2, 4})).isFalse();
    }

    @Test
    void anythingElseIsRefusedWithTheReason() {
        assertThatThrownBy(() -> FeedPosition.parse("1.2", 6)).isInstanceOf(ApiError.class).hasMessageContaining("6 partitions, not 2");
        for (String bad : new String[] {"", "a.b", "1..2", "-1.2", "1.+2", "1.99999999999999999999", "1. 2", "1.2."}) {
            assertThatThrownBy(() -> FeedPosition.parse(bad, 2)).as(bad).isInstanceOf(ApiError.class)
                    .satisfies(error -> assertThat(((ApiError) error).status()).isEqualTo(400));
        }
        assertThatThrownBy(() -> FeedPosition.parse("1".repeat(30_000), 1)).isInstanceOf(ApiError.class).hasMessageContaining("too long");
    }

    @Test
    void aStatusFilterPassesTheEventThatTakesAnIncidentOutOfIt() {
        FeedFilter open = new FeedFilter(Set.of(), Set.of("checkout"), Set.of(IncidentStatus.TRIGGERED, IncidentStatus.ACKNOWLEDGED));
        assertThat(open.matches("INC-1", "checkout", IncidentStatus.ACKNOWLEDGED, IncidentStatus.TRIGGERED)).isTrue();
        assertThat(open.matches("INC-1", "checkout", IncidentStatus.RESOLVED, IncidentStatus.ACKNOWLEDGED)).isTrue();
        assertThat(open.matches("INC-1", "checkout", IncidentStatus.RESOLVED, null)).as("a note on a resolved incident").isFalse();
        assertThat(open.matches("INC-1", "payments", IncidentStatus.TRIGGERED, null)).isFalse();
        assertThat(open.matches("INC-1", null, IncidentStatus.TRIGGERED, null)).as("no service").isFalse();
        assertThat(open.matches("INC-1", null, null, null)).as("an event from before the headers").isTrue();
        assertThat(FeedFilter.ALL.matches("INC-1", null, IncidentStatus.CLOSED, null)).isTrue();
    }

    @Test
    void anIncidentFilterPassesOnlyThatIncidentsEvents() {
        FeedFilter one = new FeedFilter(Set.of("INC-1"), Set.of(), Set.of());
        assertThat(one.matches("INC-1", "checkout", IncidentStatus.RESOLVED, IncidentStatus.TRIGGERED)).isTrue();
        assertThat(one.matches("INC-1", null, null, null)).isTrue();
        assertThat(one.matches("INC-2", "checkout", IncidentStatus.TRIGGERED, null)).isFalse();
        assertThat(one.matches("INC-2", null, null, null)).as("an event from before the headers, of another incident").isFalse();
    }
}
