package org.ktestci.schema.kcidb;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.regex.JoniRegularExpressionFactory;
import com.networknt.schema.SpecificationVersion;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * KernelCI's KCIDB I/O schema as kcidb-io exported it ({@code shared/kcidb/kcidb-v5.3.schema.json}, draft-07),
 * checked with a JSON Schema validator, format assertions on. The file lives beside the repository (not copied
 * into it): found from {@code KTEST_CI_KCIDB_SCHEMA}, else as {@code shared/kcidb/…} beside an enclosing
 * directory. Without it the test is skipped, or fails under {@code CI}.
 */
public final class KcidbSchema {
    static final String FILE = "kcidb-v5.3.schema.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private KcidbSchema() {
    }

    static Optional<Path> locate() {
        String env = System.getenv("KTEST_CI_KCIDB_SCHEMA");
        if (env != null && !env.isEmpty()) {
            return Optional.of(Path.of(env));
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path candidate = p.resolve("shared").resolve("kcidb").resolve(FILE);
            if (Files.isRegularFile(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** The schema, or the test is skipped (fails under CI) when the exported file is not here. */
    public static Schema load() {
        Optional<Path> file = locate();
        if (file.isEmpty() && System.getenv("CI") != null) {
            fail("CI needs shared/kcidb/" + FILE + " beside the checkout (or KTEST_CI_KCIDB_SCHEMA)");
        }
        Assumptions.assumeTrue(file.isPresent(), "no shared/kcidb/" + FILE + " here");
        try {
            // The schema's patterns are ECMA-262 regular expressions ("[^\\0]"): read them as such, with joni.
            SchemaRegistryConfig config = SchemaRegistryConfig.builder()
                    .regularExpressionFactory(JoniRegularExpressionFactory.getInstance())
                    .formatAssertionsEnabled(true).build();
            return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_7, b -> b.schemaRegistryConfig(config))
                    .getSchema(Files.readString(file.get()), InputFormat.JSON);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The schema's complaints about {@code document} (a Jackson tree, map or JSON text). */
    public static List<Error> errors(Schema schema, Object document) {
        try {
            String text = document instanceof String s ? s : JSON.writeValueAsString(document);
            return schema.validate(text, InputFormat.JSON,
                    ctx -> ctx.executionConfig(c -> c.formatAssertionsEnabled(true)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
