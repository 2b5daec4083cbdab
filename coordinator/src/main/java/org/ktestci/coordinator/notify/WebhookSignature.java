package org.ktestci.coordinator.notify;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.security.GeneralSecurityException;
import java.util.HexFormat;

/**
 * The {@code X-KtestCI-Signature} header: {@code sha256=<lowercase hex of HMAC-SHA256(secret, body)>}, computed over
 * the exact bytes sent, as GitHub's {@code X-Hub-Signature-256}. A receiver recomputes it and compares in constant
 * time.
 */
public final class WebhookSignature {
    public static final String HEADER = "X-KtestCI-Signature";

    private WebhookSignature() {
    }

    public static String of(byte[] secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is always available", e);
        }
    }
}
