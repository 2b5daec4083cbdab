package org.ktestci.worker.checkout;

/** A {@code (url, ref)} to fetch a batch's commit from. */
public record GitSource(String url, String ref) {
}
