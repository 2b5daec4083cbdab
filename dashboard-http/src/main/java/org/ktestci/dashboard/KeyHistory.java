package org.ktestci.dashboard;

import org.ktestci.schema.status.Status;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A branch's history from one commit back (index 0 = that commit) as the commit view shows it per key: Last
 * good, the 20-cell history strip and the {@code new} badge (http.md §2). Blobs are read once, on demand.
 */
final class KeyHistory {
    static final int STRIP = 20;

    private final Commits commits;
    private final List<String> shas;
    private final List<Optional<ResultsCache.Compact>> blobs = new ArrayList<>();

    KeyHistory(Commits commits, List<String> shas) {
        this.commits = commits;
        this.shas = shas;
    }

    /** The blobs read so far, in walk order: what a page rendered from this history depends on. */
    List<RenderedPages.Input> inputs() {
        List<RenderedPages.Input> out = new ArrayList<>(blobs.size());
        for (int i = 0; i < blobs.size(); i++) {
            out.add(new RenderedPages.Input(shas.get(i), blobs.get(i).orElse(null)));
        }
        return out;
    }

    /** Per walked commit, where the last key was found: rows come in byte order, as the blobs are. */
    private int[] next = new int[0];

    private Optional<Status> status(int index, String key) {
        while (blobs.size() <= index) {
            blobs.add(commits.compact(shas.get(blobs.size())));
        }
        if (next.length <= index) {
            next = Arrays.copyOf(next, Math.max(index + 1, 2 * next.length));
        }
        Optional<ResultsCache.Compact> blob = blobs.get(index);
        if (blob.isEmpty()) {
            return Optional.empty();
        }
        int i = blob.get().find(key, next[index]);
        if (i < 0) {
            return Optional.empty();
        }
        next[index] = i;
        return Optional.of(blob.get().status(i));
    }

    /**
     * The index of the first commit where the key Passed; {@code >= i} if commit i lacks the key or has a status
     * other than Passed/Failed first; {@code >= count} if it failed in every walked commit; — without history.
     */
    String lastGood(String key) {
        if (shas.isEmpty()) {
            return "—";
        }
        for (int i = 0; i < shas.size(); i++) {
            Optional<Status> s = status(i, key);
            if (s.isPresent() && s.get() == Status.PASSED) {
                return Integer.toString(i);
            }
            if (s.isEmpty() || s.get() != Status.FAILED) {
                return "&gt;= " + i;
            }
        }
        return "&gt;= " + shas.size();
    }

    /** The {@value #STRIP} commits ending at this one, newest left, as the commit page's compact strip. */
    String strip(String key) {
        if (shas.isEmpty()) {
            return "—";
        }
        List<Optional<Status>> cells = new ArrayList<>();
        for (int i = 0; i < Math.min(STRIP, shas.size()); i++) {
            cells.add(status(i, key));
        }
        return Svg.compactStrip(cells);
    }

    /**
     * When this commit is the key's first failing commit (§5.4 with this commit as the newest): the commit where
     * it last passed, if the walk has one; empty otherwise (also when this is not a new failure).
     */
    Optional<String> newFailure(String key, boolean[] isNew) {
        isNew[0] = false;
        if (shas.isEmpty() || status(0, key).filter(s -> s == Status.FAILED).isEmpty()) {
            return Optional.empty();
        }
        for (int i = 1; i < shas.size(); i++) {
            Optional<Status> s = status(i, key);
            if (s.isPresent() && (s.get() == Status.PASSED || s.get() == Status.FAILED)) {
                isNew[0] = s.get() == Status.PASSED;
                return isNew[0] ? Optional.of(shas.get(i)) : Optional.empty();
            }
        }
        isNew[0] = true;
        return Optional.empty();
    }
}
