package org.ktestci.coordinator;

import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;
import org.apache.pekko.serialization.jackson.JacksonCborSerializer;
import org.apache.pekko.serialization.jackson.JacksonJsonSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.ktestci.coordinator.journal.JsonSerializable;
import org.ktestci.launcher.CoordinatorMain;
import org.ktestci.protocol.CborSerializable;

import java.io.IOException;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * protocol.md §5: one instance of every cluster message ({@link CborSerializable}) and every journal event and
 * snapshot ({@link JsonSerializable}) goes through the serializer the configuration binds it to and comes back
 * equal. The classes are found by scanning the product's classes, so a new message or event cannot be left out;
 * messages that never leave their JVM say so with {@link NoSerializationVerificationNeeded}.
 */
class SerializationCoverageTest {
    private static final ActorTestKit KIT = ActorTestKit.create();
    private static final String SHA = "0123456789abcdef0123456789abcdef01234567";

    @AfterAll
    static void shutdown() {
        KIT.shutdownTestKit();
    }

    /** Every concrete org.ktestci class of the main (not test) classes on the classpath: every module's, here. */
    static List<Class<?>> productClasses() throws IOException {
        Set<String> names = new TreeSet<>();
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            Path p = Path.of(entry);
            if (entry.contains("test-classes") || entry.endsWith("-tests.jar")) {
                continue;
            }
            if (Files.isDirectory(p.resolve("org/ktestci"))) {
                try (Stream<Path> files = Files.walk(p.resolve("org/ktestci"))) {
                    files.map(f -> p.relativize(f).toString()).filter(f -> f.endsWith(".class")).forEach(names::add);
                }
            } else if (entry.endsWith(".jar") && Files.isRegularFile(p)) {
                try (JarFile jar = new JarFile(p.toFile())) {
                    jar.stream().map(e -> e.getName())
                            .filter(n -> n.startsWith("org/ktestci/") && n.endsWith(".class")).forEach(names::add);
                }
            }
        }
        List<Class<?>> classes = new ArrayList<>();
        for (String n : names) {
            try {
                classes.add(Class.forName(n.replace('/', '.').replaceAll("\\.class$", ""), false,
                        SerializationCoverageTest.class.getClassLoader()));
            } catch (ClassNotFoundException | LinkageError e) {
                fail("cannot load " + n + ": " + e);
            }
        }
        return classes;
    }

    private static boolean serializable(Class<?> c, Class<?> marker) {
        return marker.isAssignableFrom(c) && !c.isInterface() && !Modifier.isAbstract(c.getModifiers())
                && !NoSerializationVerificationNeeded.class.isAssignableFrom(c);
    }

    @Test
    void everyClusterMessageRoundTripsThroughCbor() throws Exception {
        List<Class<?>> found = productClasses().stream().filter(c -> serializable(c, CborSerializable.class)).toList();
        assertTrue(found.size() >= 16, "the scan found only " + found);
        assertTrue(found.contains(org.ktestci.protocol.RunBatch.class) && found.contains(
                org.ktestci.protocol.WorkerHello.class), found.toString());
        for (Class<?> c : found) {
            assertRoundTrip(c, JacksonCborSerializer.class);
        }
    }

    @Test
    void everyJournalEventAndSnapshotRoundTripsThroughJson() throws Exception {
        List<Class<?>> found = productClasses().stream().filter(c -> serializable(c, JsonSerializable.class)).toList();
        assertTrue(found.size() >= 10, "the scan found only " + found);
        assertTrue(found.stream().anyMatch(c -> c.getSimpleName().equals("VerdictRecorded")), found.toString());
        for (Class<?> c : found) {
            assertRoundTrip(c, JacksonJsonSerializer.class);
        }
    }

    private static void assertRoundTrip(Class<?> c, Class<? extends Serializer> expected) throws Exception {
        Object message = sample(c, c.getSimpleName());
        Serialization serialization = SerializationExtension.get(Adapter.toClassic(KIT.system()));
        Serializer serializer = serialization.findSerializerFor(message);
        assertInstanceOf(expected, serializer, c.getName() + " is bound to " + serializer.getClass().getSimpleName());
        byte[] bytes = serialization.serialize(message).get();
        Object back = serialization.deserialize(bytes, serializer.identifier(), Serializers.manifestFor(serializer,
                message)).get();
        assertTrue(deepEquals(message, back), c.getName() + ":\n  sent " + message + "\n  got  " + back);
    }

    /** Equal, comparing record components deeply (byte[] by content). */
    private static boolean deepEquals(Object a, Object b) throws Exception {
        if (a == null || b == null || !a.getClass().isRecord() || a.getClass() != b.getClass()) {
            return Objects.deepEquals(a, b);
        }
        for (RecordComponent rc : a.getClass().getRecordComponents()) {
            if (!deepEquals(rc.getAccessor().invoke(a), rc.getAccessor().invoke(b))) {
                return false;
            }
        }
        return true;
    }

    /** A value of {@code type} for a component called {@code name}: non-default, and valid where records check. */
    private static Object sample(Type type, String name) throws Exception {
        if (type instanceof ParameterizedType pt) {
            Class<?> raw = (Class<?>) pt.getRawType();
            Type[] args = pt.getActualTypeArguments();
            if (raw == List.class) {
                return List.of(sample(args[0], name));
            }
            if (raw == Set.class) {
                return Set.of(sample(args[0], name));
            }
            if (raw == SortedMap.class) {
                return new TreeMap<>(Map.of(sample(args[0], name), sample(args[1], name)));
            }
            if (raw == Map.class) {
                return Map.of(sample(args[0], name), sample(args[1], name));
            }
            if (raw == Optional.class) {
                return Optional.of(sample(args[0], name));
            }
            if (raw == ActorRef.class) {
                return KIT.createTestProbe().ref();
            }
            return sample(raw, name);
        }
        Class<?> c = (Class<?>) type;
        String n = name.toLowerCase(java.util.Locale.ROOT);
        if (c == String.class) {
            return n.equals("sha") || n.equals("commit") || n.endsWith("sha") ? SHA
                    : n.contains("arch") ? "x86_64" : "v-" + name;
        }
        if (c == int.class || c == Integer.class) {
            return 3;
        }
        if (c == long.class || c == Long.class) {
            return 1_700_000_000L;
        }
        if (c == boolean.class || c == Boolean.class) {
            return true;
        }
        if (c == byte[].class) {
            return new byte[] {0, 1, (byte) 0xff};
        }
        if (c == Instant.class) {
            return Instant.ofEpochSecond(1_700_000_000L);
        }
        if (c == Duration.class) {
            return Duration.ofSeconds(42);
        }
        if (c.isEnum()) {
            Object[] constants = c.getEnumConstants();
            return constants[constants.length - 1];
        }
        if (c.isSealed()) {
            return sample(c.getPermittedSubclasses()[0], name);
        }
        if (c.isRecord()) {
            RecordComponent[] rcs = c.getRecordComponents();
            Object[] values = new Object[rcs.length];
            for (int i = 0; i < rcs.length; i++) {
                values[i] = sample(rcs[i].getGenericType(), rcs[i].getName());
            }
            var ctor = c.getDeclaredConstructor(Arrays.stream(rcs).map(RecordComponent::getType).toArray(Class[]::new));
            ctor.setAccessible(true);
            return ctor.newInstance(values);
        }
        throw new AssertionError("no sample for " + c.getName() + " (" + name + "): teach this test how to make one");
    }

    @Test
    void theScanSeesTheProductsClassesNotTheTests() throws Exception {
        List<Class<?>> classes = productClasses();
        assertTrue(classes.contains(CoordinatorMain.class));
        assertTrue(classes.contains(org.ktestci.protocol.Ack.class));
        assertEquals(List.of(), classes.stream().filter(c -> c == SerializationCoverageTest.class).toList());
    }
}
