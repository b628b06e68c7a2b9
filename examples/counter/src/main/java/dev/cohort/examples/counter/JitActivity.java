package dev.cohort.examples.counter;

import com.sun.tools.attach.VirtualMachine;
import java.io.IOException;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * The JIT compilers' total time in other JVMs on this machine, read through the JDK's attach API
 * and each JVM's local JMX agent (started on attach, reachable only from this machine). A
 * benchmark warms up until this stops growing: on two cores, a JVM that still compiles its hot
 * paths measures the compiler as much as the code.
 */
final class JitActivity implements AutoCloseable {
    private final List<JMXConnector> connectors = new ArrayList<>();
    private final List<CompilationMXBean> compilers = new ArrayList<>();

    private JitActivity() {}

    /** Attaches to each JVM by OS process id; fails if one cannot be attached (attach disabled, another user). */
    static JitActivity of(List<Long> pids) throws Exception {
        JitActivity j = new JitActivity();
        try {
            for (long pid : pids) {
                VirtualMachine vm = VirtualMachine.attach(String.valueOf(pid));
                String address;
                try {
                    address = vm.startLocalManagementAgent();
                } finally {
                    vm.detach();
                }
                JMXConnector c = JMXConnectorFactory.connect(new JMXServiceURL(address));
                j.connectors.add(c);
                j.compilers.add(ManagementFactory.newPlatformMXBeanProxy(c.getMBeanServerConnection(),
                        ManagementFactory.COMPILATION_MXBEAN_NAME, CompilationMXBean.class));
            }
            return j;
        } catch (Exception e) {
            j.close();
            throw e;
        }
    }

    /** The compilers' total time so far, summed over the processes, in milliseconds. */
    long totalMillis() {
        long total = 0;
        for (CompilationMXBean c : compilers) total += c.getTotalCompilationTime();
        return total;
    }

    @Override
    public void close() {
        for (JMXConnector c : connectors) {
            try {
                c.close();
            } catch (IOException e) {
                // the process is gone: nothing to close
            }
        }
    }
}
