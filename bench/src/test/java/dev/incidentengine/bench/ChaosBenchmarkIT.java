package dev.incidentengine.bench;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * CI's short run of {@code ./bench/chaos}: the cluster on this machine (three broker processes, two
 * processes of every service), 100 alerts a second for 60 s while one broker is killed and
 * restarted, one is paused for 10 s and one service instance is killed and restarted; every check
 * asserted (nothing lost, no duplicate incident or event, rebuild clean, every page and news message
 * delivered, no page after an acknowledgement). The seed is fixed so a failure can be run again.
 */
class ChaosBenchmarkIT {

    @Test
    void quickRunPassesEveryCheck() throws Exception {
        ChaosBenchmark benchmark = new ChaosBenchmark();
        new CommandLine(benchmark).parseArgs("--quick", "--seed", "20", "--work-dir", "target/chaos-it");

        benchmark.call();

        assertThat(benchmark.checkFailures()).isEmpty();
    }
}
