package dev.incidentengine.incident.query;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SearchEntryTest {

    private static String entry(String... words) {
        return SearchEntry.add(SearchEntry.empty("position"), List.of(words), 1_000, word -> { });
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

    @Test
    void addsOnlyTheWordsItLacks_upToTheMost_andNamesEachOnce() {
        List<String> added = new ArrayList<>();
        String encoded = SearchEntry.add(entry("checkout"), List.of("checkout", "payments", "payments", "eu", "west"), 3, added::add);

        assertThat(added).containsExactly("payments", "eu");
        assertThat(SearchEntry.count(encoded)).isEqualTo(3);
        assertThat(SearchEntry.position(encoded)).isEqualTo("position");
        assertThat(SearchEntry.hasAll(encoded, List.of("checkout", "payments", "eu"))).isTrue();
        assertThat(SearchEntry.hasAll(encoded, List.of("west"))).isFalse();
        assertThat(SearchEntry.add(encoded, List.of("checkout", "refunds"), 3, added::add)).isSameAs(encoded);
        assertThat(SearchEntry.add(entry(), List.of(), 3, added::add)).isEqualTo(entry());
        assertThat(SearchEntry.count(entry())).isZero();
    }
}
