package dev.incidentengine.bench;

import java.util.HashMap;
import java.util.Map;
import java.util.stream.Collectors;

/** CPU seconds of the engine (and of its busiest threads), the broker and this JVM (producer and reader) since it was made. */
final class CpuClock {
    private final long enginePid;
    private final long brokerPid;
    private final long selfPid = ProcessHandle.current().pid();
    private final double engine;
    private final double broker;
    private final double self;
    private final Map<Long, Double> engineThreads;
    private final Map<Long, Double> selfThreads;

    CpuClock(long enginePid, long brokerPid) {
        this.enginePid = enginePid;
        this.brokerPid = brokerPid;
        this.engine = ProcStats.cpuSeconds(enginePid);
        this.broker = ProcStats.cpuSeconds(brokerPid);
        this.self = ProcStats.cpuSeconds(selfPid);
        this.engineThreads = ProcStats.threadCpuSeconds(enginePid);
        this.selfThreads = ProcStats.threadCpuSeconds(selfPid);
    }

    String describe(double wallSeconds) {
        double e = ProcStats.cpuSeconds(enginePid) - engine;
        double b = ProcStats.cpuSeconds(brokerPid) - broker;
        double s = ProcStats.cpuSeconds(selfPid) - self;
        return String.format("CPU over %.1f s wall: engine %.1f s (%.0f%% of a core), broker %.1f s, benchmark JVM %.1f s",
                wallSeconds, e, 100 * e / wallSeconds, b, s);
    }

    /** The engine's CPU by thread (kind), busiest first. */
    String engineThreads() {
        return threads(enginePid, engineThreads);
    }

    /** This JVM's CPU by thread (kind), busiest first. */
    String selfThreads() {
        return threads(selfPid, selfThreads);
    }

    private static String threads(long pid, Map<Long, Double> before) {
        Map<Long, Double> now = ProcStats.threadCpuSeconds(pid);
        Map<Long, String> names = ProcStats.javaThreadNames(pid);
        Map<String, Double> byKind = new HashMap<>();
        now.forEach((tid, seconds) -> {
            String name = names.getOrDefault(tid, ProcStats.threadComm(pid, tid));
            byKind.merge(threadKind(name), seconds - before.getOrDefault(tid, 0.0), Double::sum);
        });
        return byKind.entrySet().stream()
                .filter(entry -> entry.getValue() >= 0.05)
                .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .map(entry -> String.format("%s %.1f s", entry.getKey(), entry.getValue()))
                .collect(Collectors.joining(", "));
    }

    private static String threadKind(String name) {
        String kind = name.replaceAll("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-?", "");
        if (kind.matches("GC Thread#\\d+|G1 .*|VM Thread")) {
            return "GC and VM";
        }
        if (kind.matches("C[12] CompilerThread\\d+")) {
            return "JIT compiler";
        }
        return kind.replaceAll("#\\d+$", "");
    }
}
