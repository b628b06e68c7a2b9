package dev.cohort.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The build check of issue 19: what the library modules ship. Each module's main classes (its
 * jar, or its classes directory in the reactor) are read as bytes: no class may be a test
 * fixture (the node processes tests and benchmarks drive live in the modules' test jars), and no
 * class may refer to the testkit or to a test library (JUnit, AssertJ, Awaitility).
 */
class LibraryJarsTest {
    /** One class of each library module, to find where its classes are. */
    static final List<Class<?>> MODULES = List.of(
            dev.cohort.process.Node.class, dev.cohort.cluster.ClusterNode.class, dev.cohort.crdt.replicator.ReplicatedMap.class,
            dev.cohort.distributed.registry.DistributedRegistry.class, dev.cohort.state.Persistence.class,
            dev.cohort.observer.Observer.class);
    private static final List<String> FIXTURES = List.of("NodeMain", "CrdtNodeMain", "RegistryNodeMain", "SupervisorNodeMain",
            "SystemCommands", "StateNodeMain", "HandoffDrill", "KeyArrivals");
    private static final List<String> TEST_ONLY = List.of("dev/cohort/testkit/", "org/junit/", "org/assertj/", "org/awaitility/");

    @Test
    void libraryModulesShipNoFixtureAndDependOnNoTestCode() throws Exception {
        Map<String, String> offences = new TreeMap<>();
        int classes = 0;
        for (Class<?> module : MODULES) {
            for (Map.Entry<String, byte[]> c : classesOf(module).entrySet()) {
                classes++;
                String name = c.getKey();
                String simple = name.substring(name.lastIndexOf('/') + 1).replace(".class", "");
                if (FIXTURES.contains(simple.contains("$") ? simple.substring(0, simple.indexOf('$')) : simple)) {
                    offences.put(name, "a test fixture");
                }
                String text = new String(c.getValue(), StandardCharsets.ISO_8859_1);
                for (String t : TEST_ONLY) if (text.contains(t)) offences.put(name, "refers to " + t);
            }
        }
        assertThat(classes).as("classes read from the library modules").isGreaterThan(300);
        assertThat(offences).as("classes of library modules that belong in tests").isEmpty();
    }

    /** Class file name to bytes, from the jar or directory {@code type} was loaded from. */
    static Map<String, byte[]> classesOf(Class<?> type) throws IOException, URISyntaxException {
        Path where = Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        Map<String, byte[]> out = new TreeMap<>();
        if (Files.isDirectory(where)) {
            try (Stream<Path> files = Files.walk(where)) {
                List<Path> all = new ArrayList<>(files.filter(p -> p.toString().endsWith(".class")).toList());
                for (Path p : all) out.put(where.relativize(p).toString(), Files.readAllBytes(p));
            }
        } else {
            try (JarFile jar = new JarFile(where.toFile())) {
                for (var e : java.util.Collections.list(jar.entries())) {
                    if (!e.getName().endsWith(".class")) continue;
                    try (InputStream in = jar.getInputStream(e)) {
                        out.put(e.getName(), in.readAllBytes());
                    }
                }
            }
        }
        return out;
    }
}
