package dev.incidentengine.bench;

import dev.incidentengine.deploy.LocalEngine;

/**
 * {@link LocalEngine} ({@code ./incident-engine local}) as the benchmark's child process: the same
 * main, plus an exit (with the engine's shutdown hook) when the launcher's stdin pipe closes.
 */
public final class LocalEngineProcess {

    private LocalEngineProcess() {
    }

    public static void main(String[] args) {
        EngineProcess.exitWhenLauncherGone();
        LocalEngine.main(args);
    }
}
