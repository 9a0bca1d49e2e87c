package dev.incidentengine.bench;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * CI's short run of {@code ./bench/storm}: the quick mode, smaller still, with every check
 * asserted (each storm alert attached once, to one incident; each unrelated alert its own
 * incident; after a restart, every page and news message exactly once; no dead stream thread,
 * nothing dead-lettered, /readyz 200) and none of the performance targets, which are the
 * machine's as much as the engine's.
 */
class StormBenchmarkIT {

    @Test
    void quickRunPassesEveryCheck() throws Exception {
        StormBenchmark benchmark = new StormBenchmark();
        new CommandLine(benchmark).parseArgs("--quick", "--storm-alerts", "500", "--warmup-seconds", "3", "--restart-rate", "20", "--restart-seconds", "10");

        benchmark.call();

        assertThat(benchmark.checkFailures()).isEmpty();
    }
}
