package org.ktestci.worker.checkout;

/** The commit could not be made present and checked out: infrastructure failure {@code checkout_failed}. */
public final class CheckoutException extends Exception {
    public CheckoutException(String message, Throwable cause) {
        super(message, cause);
    }

    public CheckoutException(String message) {
        super(message);
    }
}
