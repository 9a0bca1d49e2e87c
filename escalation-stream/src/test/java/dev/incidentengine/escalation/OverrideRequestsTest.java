package dev.incidentengine.escalation;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import dev.incidentengine.model.OnCallOverride;
import dev.incidentengine.service.api.ApiError;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The limits on what a schedule holds, and what removing an override writes at each stage of its life. */
class OverrideRequestsTest {

    private static final Instant NOW = Instant.parse("2027-03-20T12:00:00Z");

    private static OnCallOverride override(String id, Instant start, Instant end) {
        return new OnCallOverride(id, "primary", "carol", start, end, "alice", start.minusSeconds(60), "", null, null);
    }

    @Test
    void aScheduleHoldsAtMost200NotLongEnded_andOnesEndedOverAWeekAgoDoNotCount() {
        List<OnCallOverride> stored = new ArrayList<>();
        for (int i = 0; i < OverrideRequests.MAX_STORED - 1; i++) {
            stored.add(override("o" + i, NOW.plus(Duration.ofHours(i)), NOW.plus(Duration.ofHours(i + 1))));
        }
        OnCallOverride endedSixDaysAgo = override("six", NOW.minus(Duration.ofDays(7)), NOW.minus(Duration.ofDays(6)));
        OnCallOverride endedEightDaysAgo = override("eight", NOW.minus(Duration.ofDays(9)), NOW.minus(Duration.ofDays(8)));
        stored.add(endedEightDaysAgo);
        OverrideRequests.checkRoom("primary", stored, NOW);

        stored.add(endedSixDaysAgo);
        assertThatThrownBy(() -> OverrideRequests.checkRoom("primary", stored, NOW)).isInstanceOfSatisfying(ApiError.class,
                error -> assertThat(error.status()).isEqualTo(409));
        assertThat(OverrideRequests.forgotten(endedEightDaysAgo, NOW)).isTrue();
        assertThat(OverrideRequests.forgotten(endedSixDaysAgo, NOW)).isFalse();
    }

    @Test
    void removing_anUpcomingOneIsATombstone_aRunningOneEndsNow_anEndedOneStays() {
        OnCallOverride upcoming = override("up", NOW.plusSeconds(60), NOW.plusSeconds(3600));
        assertThat(OverrideRequests.remove(upcoming, "bob", NOW)).isEqualTo(new OverrideRequests.Removal(true, null));

        OnCallOverride running = override("run", NOW.minusSeconds(60), NOW.plusSeconds(3600));
        OverrideRequests.Removal ended = OverrideRequests.remove(running, "bob", NOW);
        assertThat(ended.write()).isTrue();
        assertThat(ended.value().getEnd()).isEqualTo(NOW);
        assertThat(ended.value().getStart()).isEqualTo(running.getStart());
        assertThat(ended.value().getRemovedBy()).isEqualTo("bob");
        assertThat(ended.value().getCreatedBy()).isEqualTo("alice");

        OnCallOverride past = override("past", NOW.minusSeconds(3600), NOW.minusSeconds(60));
        assertThat(OverrideRequests.remove(past, "bob", NOW).write()).isFalse();
    }
}
