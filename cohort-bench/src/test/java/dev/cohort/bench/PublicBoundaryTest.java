package dev.cohort.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The public boundary of the library modules (issue 19). A package whose name holds an
 * {@code internal} segment is the module's own business: no public or protected member of a
 * public type of an API package may mention one of its types (supertypes, fields, constructor
 * and method signatures, thrown types, type parameters). And every package says what it holds
 * in a {@code package-info.java} (compiled with {@code -Xpkginfo:always}, so its class is there).
 */
class PublicBoundaryTest {
    static final List<Class<?>> MODULES = new ArrayList<>(LibraryJarsTest.MODULES);

    static {
        MODULES.add(dev.cohort.testkit.TestProbe.class);
    }

    @Test
    void noApiPackageExposesAnInternalType() throws Exception {
        Map<String, Set<String>> exposed = new TreeMap<>();
        int apiTypes = 0;
        for (Class<?> module : MODULES) {
            for (String file : LibraryJarsTest.classesOf(module).keySet()) {
                if (file.endsWith("package-info.class") || file.equals("module-info.class")) continue;
                Class<?> type = Class.forName(file.replace('/', '.').replace(".class", ""), false, module.getClassLoader());
                if (isInternal(type) || !isVisible(type)) continue;
                apiTypes++;
                Set<String> found = exposures(type);
                if (!found.isEmpty()) exposed.put(type.getName(), found);
            }
        }
        assertThat(apiTypes).as("public types read in API packages").isGreaterThan(150);
        assertThat(exposed).as("API types that expose internal types").isEmpty();
        assertThat(internalPackagesRead).as("internal packages found (the check has something to guard)").isNotEmpty();
    }

    @Test
    void theCheckCatchesAnExposure() {
        assertThat(exposures(Leaky.class)).containsExactlyInAnyOrder(
                "method transport() returns dev.cohort.cluster.internal.jgroups.JGroupsTransport",
                "field settings: dev.cohort.cluster.internal.jgroups.JGroupsTransport$Settings");
        assertThat(exposures(Tidy.class)).isEmpty();
    }

    @Test
    void everyPackageSaysWhatItHolds() throws Exception {
        Set<String> packages = new TreeSet<>(), described = new HashSet<>();
        for (Class<?> module : MODULES) {
            for (String file : LibraryJarsTest.classesOf(module).keySet()) {
                int slash = file.lastIndexOf('/');
                if (slash < 0) continue;
                String pkg = file.substring(0, slash).replace('/', '.');
                packages.add(pkg);
                if (file.endsWith("/package-info.class")) described.add(pkg);
            }
        }
        packages.removeAll(described);
        assertThat(packages).as("packages without a package-info.java").isEmpty();
    }

    private final Set<String> internalPackagesRead = new TreeSet<>();

    private boolean isInternal(Class<?> type) {
        boolean internal = isInternalName(type.getPackageName());
        if (internal) internalPackagesRead.add(type.getPackageName());
        return internal;
    }

    private static boolean isInternalName(String pkg) {
        return pkg.equals("internal") || pkg.contains(".internal.") || pkg.endsWith(".internal") || pkg.startsWith("internal.");
    }

    /** Public, and so are all the types it is nested in. */
    private static boolean isVisible(Class<?> type) {
        for (Class<?> c = type; c != null; c = c.getDeclaringClass()) {
            if (!Modifier.isPublic(c.getModifiers())) return false;
        }
        return !type.isAnonymousClass() && !type.isLocalClass() && !type.isSynthetic();
    }

    /** What {@code type}'s public face says of internal types, one line each. */
    static Set<String> exposures(Class<?> type) {
        Set<String> out = new TreeSet<>();
        check(type.getGenericSuperclass(), "extends", out);
        for (Type t : type.getGenericInterfaces()) check(t, "implements", out);
        for (TypeVariable<?> v : type.getTypeParameters()) for (Type b : v.getBounds()) check(b, "type parameter " + v.getName(), out);
        for (Field f : type.getDeclaredFields()) {
            if (exposed(f.getModifiers()) && !f.isSynthetic()) check(f.getGenericType(), "field " + f.getName() + ":", out);
        }
        List<Executable> members = new ArrayList<>(List.of(type.getDeclaredMethods()));
        if (!type.isEnum()) members.addAll(List.of(type.getDeclaredConstructors())); // an enum's constructors are private
        for (Executable e : members) {
            if (!exposed(e.getModifiers()) || e.isSynthetic() || (e instanceof Method m && m.isBridge())) continue;
            String what = (e instanceof Constructor<?> ? "constructor" : "method " + e.getName() + "()");
            if (e instanceof Method m) check(m.getGenericReturnType(), what + " returns", out);
            for (Type p : e.getGenericParameterTypes()) check(p, what + " takes", out);
            for (Type x : e.getGenericExceptionTypes()) check(x, what + " throws", out);
        }
        return out;
    }

    private static boolean exposed(int modifiers) {
        return Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers);
    }

    private static void check(Type t, String where, Set<String> out) {
        for (Class<?> c : classesIn(t, new HashSet<>())) {
            if (isInternalName(c.getPackageName())) out.add(where + " " + c.getName());
        }
    }

    private static Set<Class<?>> classesIn(Type t, Set<Type> seen) {
        Set<Class<?>> out = new HashSet<>();
        if (t == null || !seen.add(t)) return out;
        switch (t) {
            case Class<?> c -> out.add(c.isArray() ? c.componentType() : c);
            case ParameterizedType p -> {
                out.addAll(classesIn(p.getRawType(), seen));
                for (Type a : p.getActualTypeArguments()) out.addAll(classesIn(a, seen));
            }
            case GenericArrayType g -> out.addAll(classesIn(g.getGenericComponentType(), seen));
            case WildcardType w -> {
                for (Type b : w.getUpperBounds()) out.addAll(classesIn(b, seen));
                for (Type b : w.getLowerBounds()) out.addAll(classesIn(b, seen));
            }
            case TypeVariable<?> v -> {
                for (Type b : v.getBounds()) out.addAll(classesIn(b, seen));
            }
            default -> { }
        }
        return out;
    }

    /** What the check must flag: an API type handing out internal ones. */
    public static final class Leaky {
        public dev.cohort.cluster.internal.jgroups.JGroupsTransport.Settings settings;

        public dev.cohort.cluster.internal.jgroups.JGroupsTransport transport() { return null; }
    }

    /** What it must let pass: internal types used only out of sight. */
    public static final class Tidy {
        private dev.cohort.cluster.internal.jgroups.JGroupsTransport transport;

        String describe() { return String.valueOf(transport); }
    }
}
