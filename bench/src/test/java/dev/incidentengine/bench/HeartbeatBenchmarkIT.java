package dev.incidentengine.bench;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * CI's short run of {@code ./bench/heartbeat}: 2,000 heartbeats of the shortest interval, 200 of them missed, with the
 * checks asserted (every missed heartbeat fired exactly once, no living one fired) and not the lateness target, which is
 * the machine's as much as the engine's.
 */
class HeartbeatBenchmarkIT {

    @Test
    void shortRunPassesEveryCheck() throws Exception {
        HeartbeatBenchmark benchmark = new HeartbeatBenchmark();
        new CommandLine(benchmark).parseArgs("--heartbeats", "2000", "--interval-seconds", "10", "--dead-percent", "10");

        benchmark.call();

        assertThat(benchmark.checkFailures()).isEmpty();
    }
}
