package org.ktestci.cistatus;

import org.ktestci.schema.results.ResultEntry;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** {@code --test <re>}: keeps result keys in which the regular expression matches somewhere; absent keeps all. */
final class TestFilter {
    private final Pattern pattern;

    private TestFilter(Pattern pattern) {
        this.pattern = pattern;
    }

    /** An invalid expression is a usage error (exit 2). */
    static TestFilter of(String regex, CommandSpec spec) {
        if (regex == null) {
            return new TestFilter(null);
        }
        try {
            return new TestFilter(Pattern.compile(regex));
        } catch (PatternSyntaxException e) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "Invalid value for option '--test': " + e.getDescription() + " in '" + regex + "'");
        }
    }

    List<ResultEntry> apply(List<ResultEntry> entries) {
        return pattern == null ? entries : entries.stream().filter(e -> pattern.matcher(e.name()).find()).toList();
    }
}
