package org.ktestci.schema.config;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * {@code [notify]} (issue 14 item 8): where the coordinator POSTs its regression events. No URLs: webhooks off.
 *
 * @param webhookUrls absolute {@code http}/{@code https} URLs without credentials, in file order, no duplicates
 * @param secretFile  {@code webhook_secret_file}: its trimmed content is the HMAC-SHA256 key of the
 *                    {@code X-KtestCI-Signature} header; none: requests are not signed
 */
public record NotifyConfig(List<URI> webhookUrls, Optional<Path> secretFile) {
    public NotifyConfig {
        webhookUrls = List.copyOf(webhookUrls);
    }

    public static NotifyConfig none() {
        return new NotifyConfig(List.of(), Optional.empty());
    }

    public boolean enabled() {
        return !webhookUrls.isEmpty();
    }
}
