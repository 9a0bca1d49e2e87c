package dev.incidentengine.deploy.broker;

import java.io.IOException;

import sun.misc.Signal;

/**
 * Main of the broker process: Kafka's own {@code kafka.Kafka}, plus a watchdog that exits when
 * standard input closes. The launcher holds the other end of that pipe, so the broker stops
 * (with Kafka's controlled shutdown) even when the launcher is killed with SIGKILL.
 *
 * <p>SIGINT is ignored: Ctrl-C in a terminal signals the whole process group, and the broker must
 * outlive the services, which need it to close cleanly; the launcher stops it (SIGTERM) after them.
 */
public final class BrokerMain {

    private BrokerMain() {
    }

    public static void main(String[] args) throws Exception {
        Signal.handle(new Signal("INT"), signal -> {
        });
        Thread watchdog = new Thread(() -> {
            try {
                while (System.in.read() != -1) {
                    // The launcher never writes; only the end of the stream matters.
                }
            } catch (IOException ignored) {
                // A broken pipe means the same as end of stream.
            }
            System.err.println("Launcher gone: stopping the broker");
            System.exit(0);
        }, "launcher-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        kafka.Kafka.main(args);
    }
}
