package dev.incidentengine.incident.query;

import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * What the search index keeps per incident: its position in the list order, and the words it is
 * found by; encoded with their count first, so a full entry is recognised without reading its words.
 */
record SearchEntry(String position, Set<String> words) {

    private static final char SEPARATOR = '\u0001';

    String encode() {
        return words.size() + String.valueOf(SEPARATOR) + position + SEPARATOR + String.join(" ", words);
    }

    /** How many words the encoded entry has. */
    static int count(String encoded) {
        return Integer.parseInt(encoded, 0, encoded.indexOf(SEPARATOR), 10);
    }

    /** Whether the encoded entry has every one of {@code words}, read in place (a search checks one entry per candidate). */
    static boolean hasAll(String encoded, Collection<String> words) {
        int start = encoded.indexOf(SEPARATOR, encoded.indexOf(SEPARATOR) + 1) + 1;
        for (String word : words) {
            if (!has(encoded, start, word)) {
                return false;
            }
        }
        return true;
    }

    private static boolean has(String encoded, int start, String word) {
        for (int at = encoded.indexOf(word, start); at >= 0; at = encoded.indexOf(word, at + 1)) {
            int end = at + word.length();
            if ((at == start || encoded.charAt(at - 1) == ' ') && (end == encoded.length() || encoded.charAt(end) == ' ')) {
                return true;
            }
        }
        return false;
    }

    /** Words hold neither spaces nor U+0001 (they are letters and digits). */
    static SearchEntry decode(String encoded) {
        int first = encoded.indexOf(SEPARATOR);
        int second = encoded.indexOf(SEPARATOR, first + 1);
        String words = encoded.substring(second + 1);
        return new SearchEntry(encoded.substring(first + 1, second),
                words.isEmpty() ? new LinkedHashSet<>() : new LinkedHashSet<>(Arrays.asList(words.split(" "))));
    }
}
