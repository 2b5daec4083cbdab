package org.ktestci.protocol;

import java.util.Optional;
import java.util.function.Supplier;

/**
 * Collects the first problem of a wire message while its fields are checked in order: {@code check(ok, what)}
 * records {@code what} (built lazily) unless the field is fine or a problem was already found.
 */
public final class WireCheck {
    private String problem;

    public WireCheck check(boolean ok, Supplier<String> what) {
        if (problem == null && !ok) {
            problem = what.get();
        }
        return this;
    }

    public WireCheck check(boolean ok, String what) {
        if (problem == null && !ok) {
            problem = what;
        }
        return this;
    }

    /** Records {@code other}'s problem, if any and none was found yet. */
    public WireCheck include(Optional<String> other) {
        if (problem == null && other.isPresent()) {
            problem = other.get();
        }
        return this;
    }

    public boolean ok() {
        return problem == null;
    }

    /** The first problem found, or empty when every check passed. */
    public Optional<String> problem() {
        return Optional.ofNullable(problem);
    }
}
