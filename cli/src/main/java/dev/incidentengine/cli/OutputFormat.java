package dev.incidentengine.cli;

import picocli.CommandLine.Option;

/** {@code -o table|json}, the option every command that prints tables shares. */
final class OutputFormat {

    @Option(names = {"-o", "--output"}, defaultValue = "table", description = "table or json (default ${DEFAULT-VALUE}).")
    String output;

    Output out() {
        return Output.of(output);
    }
}
