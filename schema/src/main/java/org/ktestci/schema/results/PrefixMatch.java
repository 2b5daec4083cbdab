package org.ktestci.schema.results;

/** The outcome of matching a commit prefix against {@code output_dir}. */
public sealed interface PrefixMatch {
    record Found(String sha) implements PrefixMatch {}

    record None() implements PrefixMatch {}

    record Ambiguous(int matches) implements PrefixMatch {}
}
