package dev.incidentengine.incident.query;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;

/** What the search index keeps per incident: its position in the list order, and the words it is found by. */
record SearchEntry(String position, Set<String> words) {

    private static final char SEPARATOR = '\u0001';

    String encode() {
        return position + SEPARATOR + String.join(" ", words);
    }

    /** Words hold neither spaces nor U+0001 (they are letters and digits). */
    static SearchEntry decode(String encoded) {
        int split = encoded.indexOf(SEPARATOR);
        String words = encoded.substring(split + 1);
        return new SearchEntry(encoded.substring(0, split),
                words.isEmpty() ? new LinkedHashSet<>() : new LinkedHashSet<>(Arrays.asList(words.split(" "))));
    }
}
