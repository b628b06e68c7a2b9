package dev.cohort.distributed.cli;

import dev.cohort.cluster.ClusterNode;
import dev.cohort.crdt.replicator.ReplicatedMap;
import dev.cohort.process.ExitReason;
import dev.cohort.process.Pid;
import dev.cohort.supervisor.Supervisor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * The commands of a test node about its system tree and a replicated map {@code kv} written by
 * a workload (see {@link SupervisorNodeMain}):
 * {@code KILL name} (an exit signal {@code kill} to the process registered as {@code name} here:
 * {@code KILLED name pid|none}), {@code PROC name} ({@code PROC name pid|none}),
 * {@code SYSTEM} ({@code SYSTEM running=true|false services=[id,...]}), {@code GAVEUP}
 * ({@code GAVEUP {name=count,...}}), {@code WORK prefix} (a writer that puts
 * {@code prefix:0, prefix:1, ...} into {@code kv}, one after the other: {@code OK}),
 * {@code PAUSE} (the writer stops after the write in progress: {@code PAUSED lastAcked acked}),
 * {@code RESUME} ({@code OK}), {@code WORKED} ({@code WORKED acked failed lastAcked failedIndices|-}:
 * writes acknowledged and failed so far), {@code MISSING prefix last failed|-} (the indices up to
 * {@code last}, except the failed ones, whose key is absent here: {@code MISSING prefix [..]}),
 * {@code HAS key} ({@code HAS key true|false}), {@code KV} ({@code KV size root}), {@code REPLICA}
 * ({@code REPLICA id}: the replica id of {@code kv} here), {@code HEAP} ({@code HEAP usedMB peakMB}:
 * the heap in use now and the sum of the heap pools' peaks since the JVM started).
 */
final class SystemCommands {
    private final ClusterNode cluster;
    private final ReplicatedMap<String, Integer> kv;
    private final AtomicBoolean paused = new AtomicBoolean();
    private final AtomicLong acked = new AtomicLong(), failed = new AtomicLong();
    private final AtomicInteger lastAcked = new AtomicInteger(-1);
    private volatile String prefix;
    private final java.util.Queue<Integer> failedAt = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final Object pauseLock = new Object();
    private boolean writing;
    private final java.util.function.Consumer<String> out;

    SystemCommands(ClusterNode cluster, ReplicatedMap<String, Integer> kv, java.util.function.Consumer<String> out) {
        this.cluster = cluster;
        this.kv = kv;
        this.out = out;
    }

    /** Runs {@code w} if it is one of these commands. */
    boolean handle(String[] w) {
        switch (w[0]) {
            case "KILL" -> {
                Pid pid = cluster.node().whereis(w[1]);
                if (pid != null) cluster.node().exit(pid, ExitReason.KILL);
                out.accept("KILLED " + w[1] + " " + (pid == null ? "none" : pid));
            }
            case "PROC" -> {
                Pid pid = cluster.node().whereis(w[1]);
                out.accept("PROC " + w[1] + " " + (pid == null ? "none" : pid));
            }
            case "SYSTEM" -> {
                String services = cluster.systemRunning()
                        ? Supervisor.whichChildren(cluster.node(), cluster.system()).stream().map(c -> c.id() + "=" + (c.pid() != null))
                                .collect(Collectors.joining(","))
                        : "";
                out.accept("SYSTEM running=" + cluster.systemRunning() + " services=[" + services + "]");
            }
            case "GAVEUP" -> out.accept("GAVEUP " + cluster.servicesGaveUp());
            case "WORK" -> {
                prefix = w[1];
                Thread.ofVirtual().name("kv-writer").start(this::write);
                out.accept("OK");
            }
            case "PAUSE" -> {
                synchronized (pauseLock) {
                    paused.set(true);
                    while (writing) {
                        try {
                            pauseLock.wait();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            return true;
                        }
                    }
                }
                out.accept("PAUSED " + lastAcked.get() + " " + acked.get());
            }
            case "RESUME" -> {
                synchronized (pauseLock) {
                    paused.set(false);
                    pauseLock.notifyAll();
                }
                out.accept("OK");
            }
            case "WORKED" -> out.accept("WORKED " + acked.get() + " " + failed.get() + " " + lastAcked.get() + " "
                    + (failedAt.isEmpty() ? "-" : failedAt.stream().map(String::valueOf).collect(Collectors.joining(","))));
            case "MISSING" -> {
                int last = Integer.parseInt(w[2]);
                java.util.Set<Integer> skip = new java.util.HashSet<>();
                if (!w[3].equals("-")) for (String f : w[3].split(",")) skip.add(Integer.parseInt(f));
                java.util.Map<String, Integer> all = kv.toMap();
                java.util.List<Integer> missing = new java.util.ArrayList<>();
                for (int i = 0; i <= last; i++) if (!skip.contains(i) && !all.containsKey(w[1] + ":" + i)) missing.add(i);
                out.accept("MISSING " + w[1] + " " + missing);
            }
            case "HAS" -> out.accept("HAS " + w[1] + " " + kv.get(w[1]).isPresent());
            case "KV" -> {
                ReplicatedMap.Stats st = kv.stats();
                out.accept("KV " + st.size() + " " + st.merkleRoot());
            }
            case "REPLICA" -> out.accept("REPLICA " + kv.stats().replicaId());
            case "HEAP" -> {
                long used = 0, peak = 0;
                for (var pool : java.lang.management.ManagementFactory.getMemoryPoolMXBeans()) {
                    if (pool.getType() != java.lang.management.MemoryType.HEAP) continue;
                    used += pool.getUsage().getUsed();
                    peak += pool.getPeakUsage().getUsed();
                }
                out.accept("HEAP " + (used >> 20) + " " + (peak >> 20));
            }
            default -> { return false; }
        }
        return true;
    }

    /** Puts key after key; a write that fails (its replicator restarting) is counted and not retried. */
    private void write() {
        for (int i = 0; ; i++) {
            synchronized (pauseLock) {
                while (paused.get()) {
                    try {
                        pauseLock.wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                writing = true;
            }
            try {
                kv.put(prefix + ":" + i, i);
                acked.incrementAndGet();
                lastAcked.set(i);
            } catch (RuntimeException e) {
                failed.incrementAndGet();
                failedAt.add(i);
            } finally {
                synchronized (pauseLock) {
                    writing = false;
                    pauseLock.notifyAll();
                }
            }
            java.util.concurrent.locks.LockSupport.parkNanos(2_000_000); // about 400 writes a second
        }
    }
}
