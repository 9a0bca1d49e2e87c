package dev.incidentengine.bench;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * CI's short run of {@code ./bench/status}: 5 components, 30 days of history, a few seconds of
 * reads, a few public updates and 100 subscribers, against the local engine, with its checks
 * asserted (every read answered 200 with the benchmark's page, the history's times kept in the
 * page's log, every update on the page and in its log, every subscriber's message exactly once,
 * also across the SIGKILL) and none of the performance targets, which are the machine's as much
 * as the engine's.
 */
class StatusBenchmarkIT {

    @Test
    void shortRunPassesEveryCheck() throws Exception {
        StatusBenchmark benchmark = new StatusBenchmark();
        new CommandLine(benchmark).parseArgs("--components", "5", "--days", "30", "--rate", "50", "--cold-seconds", "1", "--seconds", "2",
                "--updates", "5", "--update-every-ms", "200", "--subscribers", "100", "--kill-after", "0.01", "--config-dir", "../deploy/local");

        benchmark.call();

        assertThat(benchmark.failures()).isEmpty();
    }
}
