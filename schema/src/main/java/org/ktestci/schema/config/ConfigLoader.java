package org.ktestci.schema.config;

import org.tomlj.Toml;
import org.tomlj.TomlParseError;
import org.tomlj.TomlParseResult;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;

/**
 * Loads {@code /etc/ktest-ci.toml} (config.md): every key known to every program, each program requiring only
 * what it uses, every problem of the file collected and reported at once in {@code file:line:col: key: message}
 * form, sorted by position.
 */
public final class ConfigLoader {
    /** Same as {@link ConfigFiles#defaultPath()}. */
    public static final Path DEFAULT_PATH = ConfigFiles.defaultPath();

    private ConfigLoader() {
    }

    public static CiConfig load(Path file, ConfigRole role) throws ConfigException {
        String content;
        try {
            content = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ConfigException(List.of(new ConfigError(file.toString(), 1, 1, "(file)", "file not found")));
        } catch (IOException e) {
            throw new ConfigException(List.of(new ConfigError(file.toString(), 1, 1, "(file)",
                    "cannot read: " + e.getMessage())));
        }
        return parse(content, file, role);
    }

    /**
     * Parses {@code content} as if read from {@code file}: {@code file} names the errors and is the base of
     * relative paths; the file system is consulted only for the role's existence checks.
     */
    public static CiConfig parse(String content, Path file, ConfigRole role) throws ConfigException {
        Path absolute = file.toAbsolutePath().normalize();
        String name = file.toString();
        TomlParseResult toml = Toml.parse(content);
        if (toml.hasErrors()) {
            List<ConfigError> syntax = new ArrayList<>();
            for (TomlParseError e : toml.errors()) {
                syntax.add(new ConfigError(name, e.position().line(), e.position().column(), "(syntax)",
                        e.getMessage()));
            }
            throw new ConfigException(sorted(syntax));
        }
        SourceText source = new SourceText(content);
        TomlReader r = new TomlReader(name, absolute.getParent(), source);
        CiConfig config = new ConfigReader(r, TomlScope.root(toml, source), role, absolute, digest(content)).read();
        if (!r.errors().isEmpty()) {
            throw new ConfigException(sorted(r.errors()));
        }
        return config;
    }

    private static List<ConfigError> sorted(List<ConfigError> errors) {
        List<ConfigError> out = new ArrayList<>(errors);
        out.sort(Comparator.comparingInt(ConfigError::line).thenComparingInt(ConfigError::column));
        return out;
    }

    /** SHA-256 of the file's bytes as lowercase hex: the coordinator compares it to notice an edited file. */
    static String digest(String content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(content.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }

    static String localHostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }
}
