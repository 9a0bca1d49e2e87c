package dev.incidentengine.bench;

import dev.incidentengine.testkit.WithRedmine;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * CI's short run of {@code ./bench/ticketing}: 40 lifecycles against a real Redmine and the Jira contract server, the
 * worker killed part way, with its checks asserted (one ticket per incident and action item, every event's comment once,
 * read back from each system) and none of the figures, which are the machine's as much as the connector's.
 */
@WithRedmine
class TicketingBenchmarkIT {

    @Test
    void shortRunPassesEveryCheck() throws Exception {
        TicketingBenchmark benchmark = new TicketingBenchmark();
        new CommandLine(benchmark).parseArgs("--incidents", "40", "--paced", "6", "--cold", "2", "--baseline", "5", "--pace-ms", "50",
                "--plugin-path", "../ticketing/target/plugin");

        benchmark.call();

        assertThat(benchmark.failures()).isEmpty();
    }
}
