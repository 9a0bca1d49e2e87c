package dev.incidentengine.ticketing.redmine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;

import dev.incidentengine.ticketing.redmine.RedmineSystem.Cursor;
import dev.incidentengine.ticketing.redmine.RedmineSystem.Key;
import org.junit.jupiter.api.Test;

class RedmineCursorTest {

    @Test
    void cursorsSurviveTheirText() {
        Cursor between = new Cursor(new Key(Instant.parse("2026-12-05T07:00:00Z"), Long.MAX_VALUE), null, null);
        Cursor sweeping = new Cursor(new Key(Instant.parse("2026-12-05T07:00:00Z"), 41), new Key(Instant.parse("2026-12-05T07:01:02Z"), 7),
                Instant.parse("2026-12-05T07:02:00Z"));

        assertThat(Cursor.decode(between.encode())).isEqualTo(between);
        assertThat(Cursor.decode(sweeping.encode())).isEqualTo(sweeping);
        assertThatThrownBy(() -> Cursor.decode("2026-12-05")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2026-12-05");
    }

    @Test
    void keysOrderByTimeThenId() {
        Key early = new Key(Instant.ofEpochSecond(10), 99);
        Key sameSecondLater = new Key(Instant.ofEpochSecond(10), 100);
        Key later = new Key(Instant.ofEpochSecond(11), 1);

        assertThat(early).isLessThan(sameSecondLater);
        assertThat(sameSecondLater).isLessThan(later);
    }
}
