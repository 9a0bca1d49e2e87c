package dev.incidentengine.bench;

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
        EngineProcess.exitWhenLauncherGone();
        IncidentStreamMain.main(args);
    }
}
