package dev.incidentengine.bench;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** A process's resident memory from /proc every 500 ms: the peak over the whole run and since the last {@link #resetPeak()}. */
final class RssSampler implements AutoCloseable {

    private final long pid;
    private final AtomicLong peakKb = new AtomicLong();
    private final AtomicLong phasePeakKb = new AtomicLong();
    private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "rss-sampler");
        thread.setDaemon(true);
        return thread;
    });

    RssSampler(long pid) {
        this.pid = pid;
        sampler.scheduleAtFixedRate(this::sample, 0, 500, TimeUnit.MILLISECONDS);
    }

    long rssKb() {
        return ProcStats.rssKb(pid);
    }

    long peakKb() {
        return peakKb.get();
    }

    long phasePeakKb() {
        return phasePeakKb.get();
    }

    void resetPeak() {
        phasePeakKb.set(rssKb());
    }

    private void sample() {
        long kb = rssKb();
        peakKb.accumulateAndGet(kb, Math::max);
        phasePeakKb.accumulateAndGet(kb, Math::max);
    }

    @Override
    public void close() {
        sampler.shutdownNow();
    }
}
