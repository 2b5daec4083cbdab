package org.ktestci.schema.durations;

/** One entry of {@code test_durations.capnp}: a result key's mean duration (s) and its counts. */
public record DurationStat(String test, long duration, long nr, long passed, long failed) {
}
