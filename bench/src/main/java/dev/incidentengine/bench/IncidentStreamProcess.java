package dev.incidentengine.bench;

import java.io.IOException;

import dev.incidentengine.incident.IncidentStreamMain;

/**
 * {@link IncidentStreamMain} as the benchmark's child process: the same main, plus an exit (with
 * the service's shutdown hook) when the launcher's stdin pipe closes, so a killed benchmark leaves
 * no engine behind.
 */
public final class IncidentStreamProcess {

    private IncidentStreamProcess() {
    }

    public static void main(String[] args) throws InterruptedException {
        Thread lifeline = new Thread(() -> {
            try {
                while (System.in.read() >= 0) {
                    // The launcher writes nothing; end of stream means it is gone.
                }
            } catch (IOException e) {
                // Same as end of stream.
            }
            System.exit(0);
        }, "launcher-lifeline");
        lifeline.setDaemon(true);
        lifeline.start();
        IncidentStreamMain.main(args);
    }
}
