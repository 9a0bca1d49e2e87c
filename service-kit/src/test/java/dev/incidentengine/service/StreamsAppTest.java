package dev.incidentengine.service;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

import dev.incidentengine.service.StreamsApp.Bounds;
import dev.incidentengine.service.StreamsApp.Finding;
import dev.incidentengine.service.StreamsApp.Problem;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.errors.InvalidTxnStateException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.streams.KafkaStreams.State;
import org.apache.kafka.streams.errors.StreamsException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class StreamsAppTest {

    private static final Bounds BOUNDS = new Bounds(Duration.ofMinutes(10), Duration.ofSeconds(60), Duration.ofSeconds(30));
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private static Optional<Problem> judge(State state, Duration inState, boolean hasRun, Map<String, Double> polls) {
        return StreamsApp.judge(T0.plus(inState), state, T0, hasRun, null, polls, BOUNDS).map(Finding::problem);
    }

    @Test
    void runningWithThreadsPollingIsReady() {
        assertThat(judge(State.RUNNING, Duration.ofHours(1), true, Map.of("app-StreamThread-1-consumer", 0.0))).isEmpty();
    }

    @Test
    void untilFirstRunningItIsStarting_howeverLongThatTakes() {
        assertThat(judge(State.CREATED, Duration.ZERO, false, Map.of())).contains(Problem.STARTING);
        assertThat(judge(State.REBALANCING, Duration.ofMinutes(5), false, Map.of())).contains(Problem.STARTING);
    }

    @Test
    void aRebalanceOfARunningAppIsReadyOnlyWithinTheGrace() {
        assertThat(judge(State.REBALANCING, Duration.ofSeconds(30), true, Map.of())).isEmpty();
        assertThat(judge(State.REBALANCING, Duration.ofSeconds(31), true, Map.of())).contains(Problem.REBALANCING);
    }

    @Test
    void everyOtherStateIsNotRunning() {
        for (State state : new State[] {State.PENDING_SHUTDOWN, State.NOT_RUNNING, State.PENDING_ERROR, State.ERROR}) {
            assertThat(judge(state, Duration.ZERO, true, Map.of())).as(state.name()).contains(Problem.NOT_RUNNING);
        }
    }

    @Test
    void aConsumerThatHasNotPolledForLongerThanTheBoundIsStuck() {
        Optional<Finding> stuck = StreamsApp.judge(T0, State.RUNNING, T0, true, null,
                Map.of("app-StreamThread-1-consumer", 60.0, "app-StreamThread-2-consumer", 61.0), BOUNDS);

        assertThat(stuck).hasValueSatisfying(finding -> {
            assertThat(finding.problem()).isEqualTo(Problem.STUCK);
            assertThat(finding.detail()).startsWith("app-StreamThread-2-consumer has not polled for 61 s");
        });
    }

    @Test
    void anAppStoppedAfterThreadFailuresSaysSoWhateverItsState() {
        assertThat(StreamsApp.judge(T0, State.ERROR, T0, true, "stream threads failed twice", Map.of(), BOUNDS))
                .hasValueSatisfying(finding -> assertThat(finding.toString()).isEqualTo("thread-failures: stream threads failed twice"));
    }

    /** The shape bench/chaos logged while a broker restarted, and what stays a record's (or the code's) failure. */
    @Test
    void aTransactionTheBrokerEnded_isTheClustersFailure_aBugOrACorruptRecordIsNot() {
        assertThat(StreamsApp.clusterFailure(new StreamsException("Error encountered trying to commit a transaction",
                new InvalidTxnStateException("The producer attempted a transactional operation in an invalid state.")))).isTrue();
        assertThat(StreamsApp.clusterFailure(new StreamsException(new ProducerFencedException("fenced")))).isTrue();
        assertThat(StreamsApp.clusterFailure(new StreamsException("task timeout", new TimeoutException("no leader")))).isTrue();
        assertThat(StreamsApp.clusterFailure(new StreamsException(new IllegalStateException("a bug")))).isFalse();
        assertThat(StreamsApp.clusterFailure(new StackOverflowError())).isFalse();
        assertThat(StreamsApp.clusterFailure(new StreamsException(new CorruptRecordException("bad CRC")))).isFalse();
    }
}
