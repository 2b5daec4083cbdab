package org.ktestci.dashboard;

import org.ktestci.schema.keys.Utf8ByteOrder;
import org.ktestci.schema.logs.Brotli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Serves the {@code /c/} tree (http.md §4) once {@link ResultPath} accepted the name: real paths kept inside
 * {@code output_dir}, conditional GETs, byte ranges on logs, and Brotli logs negotiated per client.
 */
final class ResultFiles {
    private static final String BROTLI = "application/x-brotli";
    private static final String OCTETS = "application/octet-stream";
    /** IMF-fixdate (RFC 9110 §5.6.7): always two-digit days, unlike RFC_1123_DATE_TIME's output. */
    private static final DateTimeFormatter HTTP_DATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.ENGLISH);

    private final Path outputDir;
    private final String base;

    ResultFiles(Path outputDir, String base) {
        this.outputDir = outputDir;
        this.base = base;
    }

    Reply serve(RequestInfo req, ResultPath path) {
        Path target = outputDir;
        for (String s : path.segments()) {
            target = target.resolve(s);
        }
        Path real = confined(target).orElseThrow(() -> HttpError.notFound("Not found"));
        try {
            return switch (path.kind()) {
                case COMMIT_DIR, KEY_DIR -> listing(real, path);
                case BLOB, KEY_FILE -> file(req, real, path);
            };
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The real path of {@code p} (symlinks followed) if it exists inside {@code output_dir}'s real path. */
    private Optional<Path> confined(Path p) {
        try {
            Path real = p.toRealPath();
            return real.startsWith(outputDir.toRealPath()) ? Optional.of(real) : Optional.empty();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An HTML list of the names the allow-list accepts (never temp or ktest-era files), in byte order. */
    private Reply listing(Path dir, ResultPath path) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw HttpError.notFound("Not found");
        }
        boolean commitDir = path.kind() == ResultPath.Kind.COMMIT_DIR;
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path e : entries) {
                String n = e.getFileName().toString();
                boolean listed = commitDir
                        ? ResultPath.isKey(n) && Files.isDirectory(e, LinkOption.NOFOLLOW_LINKS)
                        : ResultPath.isFile(n) && confined(e).filter(Files::isRegularFile).isPresent();
                if (listed) {
                    names.add(n);
                }
            }
        }
        names.sort(Utf8ByteOrder.COMPARATOR);
        String shown = String.join("/", path.segments()) + "/";
        StringBuilder prefix = new StringBuilder(base).append("/c/");
        for (String s : path.segments()) {
            prefix.append(Html.url(s)).append('/');
        }
        StringBuilder b = new StringBuilder("<h1>").append(Html.esc(shown)).append("</h1><ul class=\"listing\">");
        for (String n : names) {
            String suffix = commitDir ? "/" : "";
            b.append("<li>").append(Html.link(Html.esc(prefix + Html.url(n) + suffix), n + suffix)).append("</li>");
        }
        return Reply.html(Html.page(base, shown, b.append("</ul>").toString()));
    }

    private Reply file(RequestInfo req, Path real, ResultPath path) throws IOException {
        if (!Files.isRegularFile(real)) {
            throw HttpError.notFound("Not found");
        }
        // Opened before measuring: a file renamed over meanwhile still serves the bytes measured here.
        FileChannel ch = FileChannel.open(real, StandardOpenOption.READ);
        try {
            Instant modified = Files.getLastModifiedTime(real).toInstant().truncatedTo(ChronoUnit.SECONDS);
            Map<String, String> headers = Map.of("Last-Modified", httpDate(modified), "Cache-Control", "no-cache");
            Optional<Instant> since = req.header("if-modified-since").flatMap(ResultFiles::parseHttpDate);
            Reply reply;
            if (since.isPresent() && !modified.isAfter(since.get())) {
                ch.close();
                reply = Reply.notModified();
            } else if (path.isLog()) {
                reply = log(req, ch);
            } else {
                String type = path.kind() == ResultPath.Kind.BLOB ? OCTETS : Reply.TEXT;
                reply = new Reply(200, type, new Reply.Streamed(ch.size(), Channels.newInputStream(ch)), Map.of());
            }
            // A log's representation depends on Accept-Encoding, so caches must key on it (304s included).
            reply = reply.withHeaders(headers);
            return path.isLog() ? reply.withHeader("Vary", "Accept-Encoding") : reply;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /** Brotli negotiation: br → stored bytes shown as text; none/identity → raw bytes; else decoded text. */
    private Reply log(RequestInfo req, FileChannel ch) throws IOException {
        AcceptEncoding accept = AcceptEncoding.of(req.header("accept-encoding"));
        if (accept.brotli()) {
            return ranged(req, ch, Reply.TEXT).withHeader("Content-Encoding", "br");
        }
        if (accept.identityOnly()) {
            return ranged(req, ch, BROTLI);
        }
        InputStream decoded = Brotli.decompressing(Channels.newInputStream(ch));
        return new Reply(200, Reply.TEXT, new Reply.Streamed(-1, decoded), Map.of());
    }

    /** The stored bytes, or the one range asked for (206), or 416 when it lies beyond the end. */
    private static Reply ranged(RequestInfo req, FileChannel ch, String type) throws IOException {
        long size = ch.size();
        ByteRange range = ByteRange.of(req.header("range"), size);
        Reply r;
        if (range instanceof ByteRange.Slice s) {
            ch.position(s.first());
            InputStream in = new BoundedInputStream(Channels.newInputStream(ch), s.length());
            r = new Reply(206, type, new Reply.Streamed(s.length(), in), Map.of("Content-Range", s.contentRange(size)));
        } else if (range instanceof ByteRange.Unsatisfiable) {
            ch.close();
            r = Reply.text(416, "range not satisfiable").withHeader("Content-Range", "bytes */" + size);
        } else {
            r = new Reply(200, type, new Reply.Streamed(size, Channels.newInputStream(ch)), Map.of());
        }
        return r.withHeader("Accept-Ranges", "bytes");
    }

    private static String httpDate(Instant t) {
        return HTTP_DATE.format(ZonedDateTime.ofInstant(t, ZoneOffset.UTC));
    }

    private static Optional<Instant> parseHttpDate(String s) {
        try {
            return Optional.of(ZonedDateTime.parse(s.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /** What a request's {@code Accept-Encoding} says about Brotli (codings with {@code q=0} are refused). */
    private record AcceptEncoding(List<String> codings) {
        static AcceptEncoding of(Optional<String> header) {
            List<String> codings = new ArrayList<>();
            for (String part : header.orElse("").toLowerCase(Locale.ROOT).split(",")) {
                String[] params = part.split(";");
                String coding = params[0].trim();
                boolean refused = false;
                for (int i = 1; i < params.length; i++) {
                    String p = params[i].replace(" ", "");
                    refused |= p.matches("q=0(\\.0{0,3})?");
                }
                if (!coding.isEmpty() && !refused) {
                    codings.add(coding);
                }
            }
            return new AcceptEncoding(codings);
        }

        boolean brotli() {
            return codings.contains("br") || codings.contains("*");
        }

        boolean identityOnly() {
            return codings.stream().allMatch(c -> c.equals("identity"));
        }
    }
}
