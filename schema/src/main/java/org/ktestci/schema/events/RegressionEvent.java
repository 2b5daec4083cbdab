package org.ktestci.schema.events;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.UUID;

/**
 * What a branch's feed and the webhooks announce (issue 14 item 8): a new failure, a fix, or a first bad commit
 * found by bisection. Each has an {@link #id()} derived only from what it is about (type, branch, test, commits),
 * so the same finding always has the same id, whoever derives it and however often: feed readers and webhook
 * receivers can deduplicate on it, and the coordinator remembers which ids it announced.
 */
public sealed interface RegressionEvent permits RegressionEvent.NewFailure, RegressionEvent.Fixed,
        RegressionEvent.FirstBadFound {
    /** {@code new_failure}, {@code fixed} or {@code first_bad_found}: the {@code type} of the JSON payload. */
    String type();

    String branch();

    /** The result key. */
    String key();

    /** The commit the event is about: the failing one, the fixing one, or the first bad one. */
    CommitRef commit();

    /** When it happened, unix seconds: the verdict's end, or when bisection concluded. */
    long at();

    /**
     * Stable id: {@code <type>-<32 hex>}, a SHA-256 prefix of type, branch, key and the commit (for a first bad
     * commit also the commit where the failure was detected). Verdicts arriving later in between (a bisection step)
     * do not change it.
     */
    String id();

    /** A commit as the events show it. */
    record CommitRef(String sha, String subject, String author) {}

    /** A known issue a new failure matches (issue 14 item 5). */
    record KnownRef(String id, String url) {}

    /**
     * {@code key} failed at {@code commit} (first verdict, not flaky once its re-runs were done) and did not fail
     * at {@code previousSha}, the nearest older commit of the branch with a verdict for it (empty: the test is new
     * on the branch).
     */
    record NewFailure(String branch, String key, CommitRef commit, Optional<String> previousSha, long at,
                      Optional<KnownRef> known) implements RegressionEvent {
        @Override
        public String type() {
            return "new_failure";
        }

        @Override
        public String id() {
            return idOf(type(), branch, key, commit.sha());
        }
    }

    /** {@code key} passed at {@code commit} and failed (for real) at {@code failingSha}, its previous verdict. */
    record Fixed(String branch, String key, CommitRef commit, String failingSha, long at) implements RegressionEvent {
        @Override
        public String type() {
            return "fixed";
        }

        @Override
        public String id() {
            return idOf(type(), branch, key, commit.sha());
        }
    }

    /**
     * Bisection's conclusion (issue 14 item 3) for a failure of {@code key} detected at {@code detectedAtSha}:
     * {@code commit} is the first bad commit when {@code exact}, its parents passing ({@code lastGoodSha} is one);
     * otherwise an untestable commit stopped bisection and the first bad commit lies in
     * {@code lastGoodSha..commit} (exclusive, inclusive).
     */
    record FirstBadFound(String branch, String key, CommitRef commit, String lastGoodSha, String detectedAtSha,
                         boolean exact, long at) implements RegressionEvent {
        @Override
        public String type() {
            return "first_bad_found";
        }

        @Override
        public String id() {
            return idOf(type(), branch, key, commit.sha(), detectedAtSha);
        }
    }

    /**
     * The Atom entry id: a name-based UUID of {@link #id()} within {@code scope} (the CI's user, so two CIs testing
     * the same commits do not share ids), a valid IRI that never changes.
     */
    default String atomId(String scope) {
        return uuidUrn("ktest-ci event " + scope + " " + id());
    }

    /** A name-based (version 3) UUID URN of {@code name}. */
    static String uuidUrn(String name) {
        return "urn:uuid:" + UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8));
    }

    static String idOf(String type, String... parts) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            d.update(type.getBytes(StandardCharsets.UTF_8));
            for (String p : parts) {
                d.update((byte) 0);
                d.update(p.getBytes(StandardCharsets.UTF_8));
            }
            return type + "-" + HexFormat.of().formatHex(d.digest(), 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }
}
