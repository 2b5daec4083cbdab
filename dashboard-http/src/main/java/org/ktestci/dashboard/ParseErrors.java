package org.ktestci.dashboard;

import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.ParsingErrorHandler;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.scaladsl.model.ErrorInfo;
import org.apache.pekko.http.scaladsl.model.StatusCode;
import org.apache.pekko.http.scaladsl.settings.ServerSettings;

import java.util.List;

/**
 * Answers requests too malformed to reach the router (Pekko HTTP's parser refused them): with the parser's
 * status, except that a request line naming an unknown method or HTTP version is the client's error (400), not
 * the server's (Pekko says 501/505), so a scanner's garbage never shows as a server failure. The security headers
 * of http.md §10 are added as on every other answer. Set as {@code parsing.error-handler} by
 * {@link DashboardServer}.
 */
public final class ParseErrors extends ParsingErrorHandler {
    @Override
    public HttpResponse handle(StatusCode status, ErrorInfo error, LoggingAdapter log, ServerSettings settings) {
        int code = status.intValue() >= 500 ? 400 : status.intValue();
        log.debug("unparsable request: {} {}", status.intValue(), error.summary());
        return HttpResponse.create().withStatus(code)
                .addHeaders(List.of(HttpHeader.parse("X-Content-Type-Options", "nosniff"),
                        HttpHeader.parse("Referrer-Policy", "no-referrer"), HttpHeader.parse("X-Frame-Options", "DENY")))
                .withEntity(ContentTypes.TEXT_PLAIN_UTF8, "invalid request: " + error.summary() + "\n");
    }
}
