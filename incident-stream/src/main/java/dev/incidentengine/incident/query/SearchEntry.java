package dev.incidentengine.incident.query;

import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Consumer;

/**
 * What the search index keeps per incident, as text: how many words it is found by (first, so a
 * full entry is recognised without reading its words), its position in the list order, and those
 * words, separated by spaces. Read and extended in place.
 */
final class SearchEntry {

    private static final char SEPARATOR = '\u0001';

    private SearchEntry() {
    }

    /** The entry of an incident found by no word yet. */
    static String empty(String position) {
        return "0" + SEPARATOR + position + SEPARATOR;
    }

    /** How many words the encoded entry has. */
    static int count(String encoded) {
        return Integer.parseInt(encoded, 0, encoded.indexOf(SEPARATOR), 10);
    }

    /** Whether the encoded entry has every one of {@code words}, read in place (a search checks one entry per candidate). */
    static boolean hasAll(String encoded, Collection<String> words) {
        int start = wordsStart(encoded);
        for (String word : words) {
            if (!has(encoded, start, word)) {
                return false;
            }
        }
        return true;
    }

    /** Where the encoded entry's words begin: after the count and the position. */
    private static int wordsStart(String encoded) {
        return encoded.indexOf(SEPARATOR, encoded.indexOf(SEPARATOR) + 1) + 1;
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

    /** The position of the encoded entry's incident. */
    static String position(String encoded) {
        int first = encoded.indexOf(SEPARATOR);
        return encoded.substring(first + 1, encoded.indexOf(SEPARATOR, first + 1));
    }

    /**
     * The encoded entry with those of {@code words} it lacks, up to {@code max} words in all, each
     * added one given to {@code added}; {@code encoded} itself when it lacks none. Read in place: an
     * alert's few words cost a scan of the entry, not a decode of its thousand. Words hold neither
     * spaces nor U+0001 (they are letters and digits).
     */
    static String add(String encoded, Iterable<String> words, int max, Consumer<String> added) {
        int start = wordsStart(encoded);
        int count = count(encoded);
        Set<String> fresh = new HashSet<>();
        StringBuilder tail = new StringBuilder();
        for (String word : words) {
            if (count >= max) {
                break;
            }
            if (fresh.contains(word) || has(encoded, start, word)) {
                continue;
            }
            if (start < encoded.length() || !fresh.isEmpty()) {
                tail.append(' ');
            }
            tail.append(word);
            fresh.add(word);
            count++;
            added.accept(word);
        }
        return fresh.isEmpty() ? encoded : count + encoded.substring(encoded.indexOf(SEPARATOR)) + tail;
    }
}
