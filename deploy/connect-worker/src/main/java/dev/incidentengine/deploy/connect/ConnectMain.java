package dev.incidentengine.deploy.connect;

import java.io.IOException;

import org.apache.kafka.connect.cli.ConnectDistributed;
import sun.misc.Signal;

/**
 * Main of a Connect worker process: Kafka's own {@link ConnectDistributed}, plus a watchdog that exits when standard input
 * closes, as the broker's {@code BrokerMain}. The launcher holds the other end of that pipe, so the worker stops even when
 * the launcher is killed with SIGKILL. SIGINT is ignored (Ctrl-C signals the whole process group): the launcher stops the
 * worker (SIGTERM, Connect's graceful shutdown) before the broker.
 */
public final class ConnectMain {

    private ConnectMain() {
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
            System.err.println("Launcher gone: stopping the Connect worker");
            System.exit(0);
        }, "launcher-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        ConnectDistributed.main(args);
    }
}
