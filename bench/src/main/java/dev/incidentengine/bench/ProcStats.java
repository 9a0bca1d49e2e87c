package dev.incidentengine.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** What Linux's /proc says about a process: resident memory and CPU time; 0 when not readable (no /proc, process gone). */
final class ProcStats {

    // USER_HZ: the unit of /proc/<pid>/stat times, 100 on every Linux ABI.
    private static final double TICKS_PER_SECOND = 100.0;

    private ProcStats() {
    }

    /** VmRSS of /proc/<pid>/status, in KiB. */
    static long rssKb(long pid) {
        return statusKb(pid, "VmRSS:");
    }

    /** VmHWM of /proc/<pid>/status: the most resident memory the process has had, in KiB. */
    static long peakRssKb(long pid) {
        return statusKb(pid, "VmHWM:");
    }

    private static long statusKb(long pid, String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.substring(field.length()).replace("kB", "").strip());
                }
            }
        } catch (IOException | NumberFormatException e) {
            // Gone, or not Linux.
        }
        return 0;
    }

    /** User plus system CPU seconds the process has used so far (threads included). */
    static double cpuSeconds(long pid) {
        return statCpuSeconds(Path.of("/proc", Long.toString(pid), "stat"));
    }

    /** CPU seconds of each thread of the process, by thread id. */
    static Map<Long, Double> threadCpuSeconds(long pid) {
        Map<Long, Double> threads = new HashMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            tasks.forEach(task -> threads.put(Long.parseLong(task.getFileName().toString()), statCpuSeconds(task.resolve("stat"))));
        } catch (IOException | RuntimeException e) {
            // Gone, or not Linux.
        }
        return threads;
    }

    private static final Pattern JAVA_THREAD = Pattern.compile("^\"(.+?)\".* nid=(0x[0-9a-f]+)", Pattern.MULTILINE);

    /** Java thread names by thread id, from {@code jcmd <pid> Thread.print}. */
    static Map<Long, String> javaThreadNames(long pid) {
        Map<Long, String> names = new HashMap<>();
        Matcher matcher = JAVA_THREAD.matcher(jcmd(pid, "Thread.print"));
        while (matcher.find()) {
            names.put(Long.decode(matcher.group(2)), matcher.group(1));
        }
        return names;
    }

    /** {@code jcmd <pid> <command...>}'s output; empty if jcmd is not there. */
    static String jcmd(long pid, String... command) {
        List<String> line = new ArrayList<>();
        line.add(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString());
        line.add(Long.toString(pid));
        line.addAll(List.of(command));
        try {
            Process process = new ProcessBuilder(line).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            process.waitFor(60, TimeUnit.SECONDS);
            return output;
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    /** The thread's name as Linux has it (15 characters at most). */
    static String threadComm(long pid, long tid) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(pid), "task", Long.toString(tid), "comm")).strip();
        } catch (IOException e) {
            return "tid " + tid;
        }
    }

    private static double statCpuSeconds(Path statFile) {
        try {
            String stat = Files.readString(statFile);
            // Fields after the command name, which may hold spaces: state is field 3, utime 14, stime 15.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
