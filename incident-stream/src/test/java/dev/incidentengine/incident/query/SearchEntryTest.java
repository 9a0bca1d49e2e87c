package dev.incidentengine.incident.query;

import java.util.LinkedHashSet;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SearchEntryTest {

    private static String entry(String... words) {
        return new SearchEntry("position", new LinkedHashSet<>(List.of(words))).encode();
    }

    @Test
    void findsWholeWordsOnly_whereverTheyStand() {
        String encoded = entry("checkout", "payments", "7");

        assertThat(SearchEntry.hasAll(encoded, List.of("checkout"))).isTrue();
        assertThat(SearchEntry.hasAll(encoded, List.of("7", "payments"))).isTrue();
        assertThat(SearchEntry.hasAll(encoded, List.of("checkout", "payments", "7"))).isTrue();
        assertThat(SearchEntry.hasAll(encoded, List.of("pay"))).isFalse();
        assertThat(SearchEntry.hasAll(encoded, List.of("out"))).isFalse();
        assertThat(SearchEntry.hasAll(encoded, List.of("checkout", "refunds"))).isFalse();
        // The position is not a word.
        assertThat(SearchEntry.hasAll(encoded, List.of("position"))).isFalse();
        assertThat(SearchEntry.hasAll(entry(), List.of("checkout"))).isFalse();
    }

    @Test
    void aWordThatRecursInsideAnotherIsStillFoundOnItsOwn() {
        assertThat(SearchEntry.hasAll(entry("apiserver", "api"), List.of("api"))).isTrue();
        assertThat(SearchEntry.hasAll(entry("apiserver", "serverapi"), List.of("api"))).isFalse();
    }
}
