package dev.incidentengine.service;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * Cuts off a request body that arrives slower than a minimum rate, or not within a deadline, so
 * a slow client cannot hold a request thread: the reader then gets a {@link TooSlow} failure at
 * once, from a timer, whether or not the client sends anything more. Only time spent waiting
 * for the client counts; a busy server reading late does not.
 */
public final class RequestBodyGuard extends Handler.Wrapper {

    /** The first second of a body is free of the rate, for a slow start (TCP, 100-continue). */
    private static final long GRACE_NANOS = TimeUnit.SECONDS.toNanos(1);

    /** A request body that did not arrive in time; readers answer 408. */
    public static final class TooSlow extends IOException {
        TooSlow(String message) {
            super(message);
        }
    }

    private final long minBytesPerSecond;
    private final long timeoutNanos;

    RequestBodyGuard(Handler handler, long minBytesPerSecond, Duration timeout) {
        super(handler);
        this.minBytesPerSecond = minBytesPerSecond;
        this.timeoutNanos = timeout.toNanos();
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        return super.handle(new Guarded(request), response, callback);
    }

    private final class Guarded extends Request.Wrapper {

        private final AtomicReference<Wait> waiting = new AtomicReference<>();
        private volatile Content.Chunk failure;
        private long firstDemand;
        private long bytesRead;

        Guarded(Request request) {
            super(request);
        }

        @Override
        public Content.Chunk read() {
            Content.Chunk failed = failure;
            if (failed != null) {
                return failed;
            }
            Content.Chunk chunk = super.read();
            if (chunk != null) {
                bytesRead += chunk.remaining();
            }
            return chunk;
        }

        @Override
        public void demand(Runnable demandCallback) {
            long now = System.nanoTime();
            if (firstDemand == 0) {
                firstDemand = now;
            }
            long elapsed = now - firstDemand;
            // By then the client must have sent more than it has so far.
            long rateDue = GRACE_NANOS + bytesRead * 1_000_000_000L / minBytesPerSecond;
            long due = Math.min(rateDue, timeoutNanos);
            if (failure == null && due <= elapsed) {
                fail(rateDue < timeoutNanos);
            }
            if (failure != null) {
                demandCallback.run();
                return;
            }
            Wait wait = new Wait(demandCallback);
            waiting.set(wait);
            wait.timer = getComponents().getScheduler().schedule(() -> wait.expire(rateDue < timeoutNanos), due - elapsed,
                    TimeUnit.NANOSECONDS);
            super.demand(wait);
        }

        private void fail(boolean rate) {
            failure = Content.Chunk.from(new TooSlow(rate
                    ? "the request body arrived slower than " + minBytesPerSecond + " bytes/s"
                    : "the request body did not arrive within " + Duration.ofNanos(timeoutNanos).toMillis() + " ms"));
        }

        /** One demand: the content arriving and the timer race, the first wins. */
        private final class Wait implements Runnable {
            private final Runnable demandCallback;
            private volatile Scheduler.Task timer;

            Wait(Runnable demandCallback) {
                this.demandCallback = demandCallback;
            }

            @Override
            public void run() {
                if (waiting.compareAndSet(this, null)) {
                    Scheduler.Task task = timer;
                    if (task != null) {
                        task.cancel();
                    }
                    demandCallback.run();
                }
            }

            void expire(boolean rate) {
                if (waiting.compareAndSet(this, null)) {
                    fail(rate);
                    demandCallback.run();
                }
            }
        }
    }
}
