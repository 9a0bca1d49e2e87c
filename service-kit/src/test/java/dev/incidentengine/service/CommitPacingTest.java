package dev.incidentengine.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Properties;

import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.MockProcessorContext.CapturedPunctuator;
import org.junit.jupiter.api.Test;

class CommitPacingTest {

    private static final Duration MIN = Duration.ofMillis(50);
    private static final Duration MAX = Duration.ofSeconds(1);

    @Test
    void quickCommits_keepTheShortInterval_slowOnesStretchItUpToTheLongest() {
        Properties props = new Properties();
        CommitPacing pacing = CommitPacing.of(props, MIN, MAX);

        assertThat(props).containsEntry(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 1_000L);
        assertThat(pacing.intervalMs()).isEqualTo(50);
        steady(pacing, 12.0);
        assertThat(pacing.intervalMs()).isEqualTo(50);
        pacing.observe(400.0);
        assertThat(pacing.intervalMs()).as("one slow commit stretches it a little").isEqualTo(257);
        steady(pacing, 180.0);
        assertThat(pacing.intervalMs()).isEqualTo(360);
        steady(pacing, 900.0);
        assertThat(pacing.intervalMs()).isEqualTo(1_000);
        steady(pacing, 5.0);
        assertThat(pacing.intervalMs()).as("quick again").isEqualTo(50);
    }

    /** Commits of about the same time, as many as it takes the average to settle. */
    private static void steady(CommitPacing pacing, double commitMs) {
        for (int i = 0; i < 40; i++) {
            pacing.observe(commitMs);
        }
    }

    @Test
    void offByDefault_theEngineCommitsEvery50Ms() {
        Properties props = new Properties();
        CommitPacing pacing = CommitPacing.of(props, false);
        MockProcessorContext<String, String> context = new MockProcessorContext<>();

        pacing.schedule(context);

        assertThat(props).containsEntry(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 50);
        assertThat(pacing.paced()).isFalse();
        assertThat(context.scheduledPunctuators()).isEmpty();
        assertThat(CommitPacing.of(new Properties(), true).paced()).isTrue();
    }

    @Test
    void aFixedIntervalTheUserSet_turnsPacingOff() {
        Properties props = new Properties();
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "500");
        CommitPacing pacing = CommitPacing.of(props, MIN, MAX);
        MockProcessorContext<String, String> context = new MockProcessorContext<>();

        pacing.schedule(context);

        assertThat(props).containsEntry(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "500");
        assertThat(pacing.paced()).isFalse();
        assertThat(context.scheduledPunctuators()).isEmpty();
    }

    @Test
    void aTaskAsksForACommit_onceTheCurrentIntervalHasPassed() {
        CommitPacing pacing = CommitPacing.of(new Properties(), MIN, MAX);
        MockProcessorContext<String, String> context = new MockProcessorContext<>();
        pacing.schedule(context);
        CapturedPunctuator punctuator = context.scheduledPunctuators().get(0);
        assertThat(punctuator.getType()).isEqualTo(PunctuationType.WALL_CLOCK_TIME);
        assertThat(punctuator.getInterval()).isEqualTo(MIN);

        punctuator.getPunctuator().punctuate(10_000);
        assertThat(context.committed()).isTrue();
        context.resetCommit();
        punctuator.getPunctuator().punctuate(10_050);
        assertThat(context.committed()).isTrue();
        context.resetCommit();

        steady(pacing, 150.0); // commits take 150 ms: ask every 300 ms
        punctuator.getPunctuator().punctuate(10_100);
        punctuator.getPunctuator().punctuate(10_300);
        assertThat(context.committed()).isFalse();
        punctuator.getPunctuator().punctuate(10_350);
        assertThat(context.committed()).isTrue();
    }
}
