package dev.incidentengine.bench;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * CI's short run of {@code ./bench/api}: a small history, a few seconds of each phase, with its
 * checks asserted (every request answered 200, every change feed event delivered, three starts
 * caught up) and none of the performance targets, which are the machine's as much as the engine's.
 */
class ApiBenchmarkIT {

    @Test
    void shortRunPassesEveryCheck() throws Exception {
        ApiBenchmark benchmark = new ApiBenchmark();
        new CommandLine(benchmark).parseArgs("--incidents", "3000", "--rate", "50", "--cold-seconds", "2", "--warm-seconds", "3",
                "--feed-rate", "100", "--feed-seconds", "3");

        assertThat(benchmark.call()).isZero();
        assertThat(benchmark.failures()).isEmpty();
    }
}
