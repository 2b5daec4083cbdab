package org.ktestci.schema.git;

/** What the views show of a commit: sha, subject, full message, author and commit time (unix seconds). */
public record CommitInfo(String sha, String subject, String message, String author, String authorEmail,
                         long commitTime) {
}
