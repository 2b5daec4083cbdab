package org.ktestci.coordinator.bisect;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Grows a random history with merges, for checking bisection against git and for counting its runs: each new
 * commit goes on an open head; a quarter of the time it merges a second head too, and a third of the time the
 * head it left stays open as a side branch. Deterministic for a seeded {@link Random}.
 */
public final class RandomMerges {
    private final Random rnd;
    private final List<String> heads;
    private String firstParent;

    public RandomMerges(String root, Random rnd) {
        this.rnd = rnd;
        this.heads = new ArrayList<>(List.of(root));
    }

    /** The parents of the next commit; make it, then tell {@link #grew}. */
    public List<String> nextParents() {
        firstParent = heads.get(rnd.nextInt(heads.size()));
        List<String> parents = new ArrayList<>(List.of(firstParent));
        if (heads.size() > 1 && rnd.nextInt(4) == 0) {
            String second = heads.get(rnd.nextInt(heads.size()));
            if (!second.equals(firstParent)) {
                parents.add(second);
                heads.remove(second);
            }
        }
        return parents;
    }

    /** {@code commit}, made on the last {@link #nextParents}, is now an open head. */
    public void grew(String commit) {
        heads.remove(firstParent);
        heads.add(commit);
        if (rnd.nextInt(3) == 0) {
            heads.add(firstParent);
        }
    }

    /** The heads still open: a tip that merges them all contains every commit. */
    public List<String> heads() {
        return List.copyOf(heads);
    }
}
