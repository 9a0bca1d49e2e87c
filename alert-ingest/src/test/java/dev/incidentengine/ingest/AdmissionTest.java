package dev.incidentengine.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

class AdmissionTest {

    private static final long MS = 1_000_000L;

    private final AtomicLong now = new AtomicLong(1_000 * MS);
    /** 500 ms of backlog allowed; sources of up to 100 alerts a second are quiet. */
    private final Admission admission = new Admission(500, 100, now::get);

    /** Samples every 100 ms while the group drains {@code perSecond} with {@code lag} left queued each time. */
    private void drain(long perSecond, long lag, int samples) {
        long committed = 1_000_000;
        admission.observe(lag, committed);
        for (int i = 0; i < samples; i++) {
            now.addAndGet(100 * MS);
            committed += perSecond / 10;
            admission.observe(lag, committed);
        }
    }

    @Test
    void withoutBacklogEverySourceIsAdmitted() {
        drain(1_000, 0, 5);

        assertThat(admission.backlogMs()).isZero();
        assertThat(admit(admission, "am|storm", "am", 1_000)).isTrue();
    }

    @Test
    void overTheLimitABusySourceIsRefusedAndAQuietOneAdmitted() {
        drain(1_000, 5_000, 10);

        assertThat(admission.backlogMs()).isEqualTo(5_000);
        assertThat(admit(admission, "am|storm", "am", 500)).isFalse();
        assertThat(admit(admission, "am|other", "am", 1)).isTrue();
        assertThat(admit(admission, "pd", "pd", 1)).isTrue();
    }

    @Test
    void alertsAdmittedSinceTheSampleCountTowardsTheBacklog() {
        drain(10_000, 1_000, 10);
        assertThat(admission.backlogMs()).isEqualTo(100);

        assertThat(admit(admission, "am|storm", "am", 2_000)).isTrue();
        assertThat(admit(admission, "am|storm", "am", 2_100)).isTrue();
        assertThat(admission.backlogRecords()).isEqualTo(5_100);
        assertThat(admit(admission, "am|storm", "am", 64)).as("510 ms of work queued").isFalse();

        // The next sample says it was drained.
        now.addAndGet(100 * MS);
        admission.observe(0, 2_000_000);
        assertThat(admit(admission, "am|storm", "am", 64)).isTrue();
    }

    @Test
    void aStalledGroupIsAnEndlessBacklog() {
        drain(0, 5_000, 10);
        assertThat(admission.backlogMs()).as("a second without a commit may be a slow commit").isEqualTo(5_000);

        drain(0, 5_000, 50);

        assertThat(admission.backlogMs()).isEqualTo(Long.MAX_VALUE);
        assertThat(admit(admission, "am|storm", "am", 500)).isFalse();
        assertThat(admit(admission, "am|other", "am", 5)).isTrue();
    }

    @Test
    void theRateComesFromBusyIntervalsOnly() {
        // Idle with a trickle: a small lag now and then, drained at once. Then a storm's backlog, drained at 10,000 a second.
        long committed = 0;
        for (int i = 0; i < 50; i++) {
            now.addAndGet(100 * MS);
            committed += 1;
            admission.observe(i % 2 == 0 ? 0 : Admission.BUSY_LAG, committed);
        }
        admission.observe(3_000, committed);
        now.addAndGet(100 * MS);
        admission.observe(2_000, committed + 1_000);

        assertThat(admission.backlogMs()).isEqualTo(200);
        assertThat(admit(admission, "am|storm", "am", 500)).isTrue();
    }

    /**
     * A group that commits once a second (CommitPacing while commits are slow): samples every 100 ms see its lag grow by
     * what it read since the commit, and drop at the next one. Its own rate over the last gap between commits takes that off.
     */
    private void commitOncePerSecond(long arrivalsPerSecond, long drainedPerSecond, long backlogAtStart, int seconds) {
        long committed = 1_000_000;
        long backlog = backlogAtStart;
        for (int s = 0; s < seconds; s++) {
            for (int tenth = 0; tenth < 10; tenth++) {
                admission.observe(backlog + drainedPerSecond * tenth / 10, committed);
                now.addAndGet(100 * MS);
                backlog += (arrivalsPerSecond - drainedPerSecond) / 10;
            }
            committed += drainedPerSecond;
        }
    }

    @Test
    void aGroupThatKeepsUpButCommitsOnceASecond_hasNoBacklog() {
        commitOncePerSecond(1_000, 1_000, 0, 5);
        admission.observe(0, 1_005_000);
        for (int tenth = 0; tenth < 9; tenth++) {
            now.addAndGet(100 * MS);
            admission.observe(100L * (tenth + 1), 1_005_000);
            assertThat(admission.backlogMs()).as("%d ms after the commit", 100 * (tenth + 1)).isZero();
        }
        assertThat(admit(admission, "am|storm", "am", 500)).isTrue();
    }

    @Test
    void aGroupBehindThatCommitsOnceASecond_hasItsRealBacklogAtAnyPointOfTheSecond() {
        commitOncePerSecond(1_000, 1_000, 3_000, 5);
        admission.observe(3_000, 1_005_000);
        for (int tenth = 0; tenth < 9; tenth++) {
            now.addAndGet(100 * MS);
            admission.observe(3_000 + 100L * (tenth + 1), 1_005_000);
            assertThat(admission.backlogMs()).as("%d ms after the commit", 100 * (tenth + 1)).isEqualTo(3_000);
        }
        assertThat(admit(admission, "am|storm", "am", 500)).isFalse();
    }

    @Test
    void aBusySourceThatWentQuietIsAdmittedAgain() {
        drain(1_000, 5_000, 10);
        assertThat(admit(admission, "am|storm", "am", 500)).isFalse();

        now.addAndGet(2_000 * MS);
        assertThat(admit(admission, "am|storm", "am", 50)).isTrue();
        assertThat(admit(admission, "am|storm", "am", 60)).as("110 within a second").isFalse();
    }

    @Test
    void beforeItWasEverBusyARateIsAssumed() {
        admission.observe(50, 10);
        assertThat(admission.backlogMs()).isEqualTo(50 * 1000 / Admission.ASSUMED_PER_SECOND);

        admission.observe(5_000, 10);
        assertThat(admission.backlogMs()).isEqualTo(5_000 * 1000 / Admission.ASSUMED_PER_SECOND);
    }

    @Test
    void sourcesBeyondTheCapAreCountedAsTheirIntegration() {
        drain(1_000, 5_000, 10);
        for (int i = 0; i < Admission.MAX_SOURCES; i++) {
            assertThat(admit(admission, "am|group-" + i, "am", 1)).isTrue();
        }

        assertThat(admit(admission, "am|made-up-1", "am", 60)).isTrue();
        assertThat(admit(admission, "am|made-up-2", "am", 60)).as("both counted as integration am").isFalse();
    }

    @Test
    void offTurnsItOff() {
        Admission off = new Admission(0, 100, now::get);
        off.observe(1_000_000, 0);

        assertThat(admit(off, "am|storm", "am", 1_000)).isTrue();
    }

    /** What the endpoints do for a request: count it against its source, then try to admit it. */
    private static boolean admit(Admission admission, String source, String integration, int alerts) {
        return admission.tryAdmit(admission.busy(source, integration, alerts), alerts);
    }
}
