package dev.incidentengine.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

/** What a command prints: the API's JSON as it is ({@code -o json}), or a table and lines for people. */
final class Output {

    /** Where commands print, and errors; tests give their own. */
    static PrintStream out = System.out;
    static PrintStream err = System.err;

    final boolean json;

    Output(boolean json) {
        this.json = json;
    }

    /** {@code -o table} or {@code -o json}. */
    static Output of(String format) {
        return switch (format) {
            case "table" -> new Output(false);
            case "json" -> new Output(true);
            default -> throw new CliError(CliError.USAGE, "-o must be table or json, not '" + format + "'");
        };
    }

    void json(JsonNode node) {
        try {
            out.println(ApiClient.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    void line(String text) {
        out.println(text);
    }

    /** A column: its header and how a row's JSON becomes its text. */
    record Column(String header, Function<JsonNode, String> value) {

        static Column field(String header, String name) {
            return new Column(header, row -> row.path(name).isNull() || row.path(name).isMissingNode() ? "-" : row.path(name).asText());
        }
    }

    void table(JsonNode rows, Column... columns) {
        List<String[]> cells = new ArrayList<>();
        cells.add(Arrays.stream(columns).map(Column::header).toArray(String[]::new));
        rows.forEach(row -> cells.add(Arrays.stream(columns).map(column -> column.value().apply(row)).toArray(String[]::new)));
        int[] widths = new int[columns.length];
        cells.forEach(row -> {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        });
        for (String[] row : cells) {
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < row.length; i++) {
                text.append(i == row.length - 1 ? row[i] : String.format("%-" + widths[i] + "s  ", row[i]));
            }
            out.println(text.toString().stripTrailing());
        }
    }
}
