package dev.incidentengine.bench;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * CI's short run of {@code ./bench/console}: a small history, a few loads of each page and a few
 * seconds of live events, in real headless Chromium against the local engine, with its checks
 * asserted (every page showed what is measured, every live event reached its page and the raw
 * consumer, no errors in the browsers' consoles) and none of the performance targets, which are the
 * machine's as much as the engine's.
 */
class ConsoleBenchmarkIT {

    @Test
    void shortRunPassesEveryCheck() throws Exception {
        ConsoleBenchmark benchmark = new ConsoleBenchmark();
        new CommandLine(benchmark).parseArgs("--open", "100", "--closed", "1000", "--loads", "3", "--event-rate", "10", "--event-seconds", "5",
                "--config-dir", "../deploy/local");

        assertThat(benchmark.call()).isZero();
        assertThat(benchmark.failures()).isEmpty();
    }
}
