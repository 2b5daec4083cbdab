package org.ktestci.coordinator.results;

/** Full commit message of a sha from whichever configured repo has it ({@code ""} if none does). May block. */
@FunctionalInterface
public interface CommitMessages {
    String messageOf(String sha);
}
