package org.ktestci.dashboard;

import org.ktestci.schema.keys.Utf8ByteOrder;
import org.ktestci.schema.logs.Brotli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code /c/} tree (http.md §4): an allow-list of names checked before touching the disk, real paths kept
 * inside {@code output_dir}, conditional GETs, byte ranges, and Brotli logs negotiated per client.
 */
final class ResultFiles {
    private static final Pattern FIRST = Pattern.compile("^[0-9a-f]{40}(\\.capnp)?$");
    private static final Pattern KEY = Pattern.compile("^[A-Za-z0-9._@=,+:-]+$");
    private static final Set<String> FILES = Set.of("status", "duration", "log.br", "full_log.br");
    private static final Pattern RANGE = Pattern.compile("^bytes=(\\d*)-(\\d*)$");

    private final Path outputDir;
    private final String base;

    ResultFiles(Path outputDir, String base) {
        this.outputDir = outputDir;
        this.base = base;
    }

    /** {@code rawTail} is the raw (still percent-encoded) path after {@code /c/}. */
    Reply serve(RequestInfo req, String rawTail) {
        String lower = rawTail.toLowerCase(Locale.ROOT);
        if (rawTail.contains("\\") || lower.contains("%00") || lower.contains("%2f") || lower.contains("%5c")
                || rawTail.indexOf('\0') >= 0) {
            throw HttpError.badRequest("invalid path");
        }
        String[] raw = rawTail.split("/", -1);
        for (String seg : raw) {
            if (seg.equals(".") || seg.equals("..") || seg.equalsIgnoreCase("%2e") || seg.equalsIgnoreCase("%2e%2e")
                    || seg.equalsIgnoreCase(".%2e") || seg.equalsIgnoreCase("%2e.")) {
                throw HttpError.badRequest("invalid path");
            }
        }
        List<String> segs = new ArrayList<>();
        for (String s : raw) {
            segs.add(java.net.URLDecoder.decode(s.replace("+", "%2B"), java.nio.charset.StandardCharsets.UTF_8));
        }
        boolean dirRequest = rawTail.endsWith("/");
        if (dirRequest) {
            segs.remove(segs.size() - 1);
        }
        if (segs.isEmpty() || segs.size() > 3) {
            throw HttpError.notFound("Not found");
        }
        String first = segs.get(0);
        boolean blob = first.endsWith(".capnp");
        if (!(FIRST.matcher(first).matches() || first.equals("test_durations.capnp"))) {
            throw HttpError.notFound("Not found");
        }
        if (segs.size() >= 2 && (blob || !KEY.matcher(segs.get(1)).matches() || segs.get(1).equals(".")
                || segs.get(1).equals(".."))) {
            throw HttpError.notFound("Not found");
        }
        if (segs.size() == 3 && !FILES.contains(segs.get(2))) {
            throw HttpError.notFound("Not found");
        }
        Path target = outputDir.resolve(String.join("/", segs));
        Path real = confined(target);
        boolean isFile = blob || segs.size() == 3;
        if (dirRequest == isFile) {
            throw HttpError.notFound("Not found"); // a file asked as a directory, or a directory without its slash
        }
        return isFile ? file(req, real, segs.get(segs.size() - 1)) : listing(real, segs);
    }

    /** The real path of {@code p} (symlinks followed), which must lie inside {@code output_dir}'s real path. */
    private Path confined(Path p) {
        try {
            Path real = p.toRealPath();
            if (!real.startsWith(outputDir.toRealPath())) {
                throw HttpError.notFound("Not found");
            }
            return real;
        } catch (NoSuchFileException e) {
            throw HttpError.notFound("Not found");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Reply listing(Path dir, List<String> segs) {
        if (!Files.isDirectory(dir)) {
            throw HttpError.notFound("Not found");
        }
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path e : entries) {
                String n = e.getFileName().toString();
                boolean ok = segs.size() == 1 ? KEY.matcher(n).matches() && Files.isDirectory(e) : FILES.contains(n);
                if (ok) {
                    names.add(n);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        names.sort(Utf8ByteOrder.COMPARATOR);
        String prefix = Html.esc(base) + "/c/" + String.join("/", segs.stream().map(Html::url).toList()) + "/";
        StringBuilder b = new StringBuilder("<h1>").append(Html.esc(String.join("/", segs))).append("/</h1><ul>");
        for (String n : names) {
            String suffix = segs.size() == 1 ? "/" : "";
            b.append("<li><a href=\"").append(prefix).append(Html.url(n)).append(suffix).append("\">")
                    .append(Html.esc(n)).append(suffix).append("</a></li>");
        }
        return Reply.html(Html.page(base, String.join("/", segs), b.append("</ul>").toString()));
    }

    private Reply file(RequestInfo req, Path real, String name) {
        if (!Files.isRegularFile(real)) {
            throw HttpError.notFound("Not found");
        }
        try {
            Instant modified = Files.getLastModifiedTime(real).toInstant().truncatedTo(ChronoUnit.SECONDS);
            String lastModified = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.ofInstant(modified,
                    ZoneOffset.UTC));
            Optional<Instant> since = req.header("if-modified-since").flatMap(ResultFiles::parseHttpDate);
            if (since.isPresent() && !modified.isAfter(since.get())) {
                return new Reply(304, Reply.TEXT, new byte[0], java.util.Map.of())
                        .withHeader("Last-Modified", lastModified).withHeader("Cache-Control", "no-cache");
            }
            Reply reply;
            if (name.endsWith(".br")) {
                reply = brotli(req, real);
            } else {
                String type = name.endsWith(".capnp") ? "application/octet-stream" : Reply.TEXT;
                reply = new Reply(200, type, Files.readAllBytes(real), java.util.Map.of());
            }
            return reply.withHeader("Last-Modified", lastModified).withHeader("Cache-Control", "no-cache");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Brotli negotiation: br → stored bytes shown as text; none/identity → raw bytes; else decoded text. */
    private Reply brotli(RequestInfo req, Path real) throws IOException {
        String accept = req.header("accept-encoding").orElse("").toLowerCase(Locale.ROOT);
        List<String> codings = new ArrayList<>();
        for (String part : accept.split(",")) {
            String c = part.split(";")[0].trim();
            if (!c.isEmpty()) {
                codings.add(c);
            }
        }
        byte[] stored = Files.readAllBytes(real);
        if (codings.contains("br")) {
            return ranged(req, new Reply(200, Reply.TEXT, stored, java.util.Map.of()).withHeader("Content-Encoding", "br"));
        }
        if (codings.isEmpty() || codings.stream().allMatch(c -> c.equals("identity"))) {
            return ranged(req, new Reply(200, "application/x-brotli", stored, java.util.Map.of()));
        }
        try (InputStream in = Brotli.decompressing(new java.io.ByteArrayInputStream(stored))) {
            return new Reply(200, Reply.TEXT, in.readAllBytes(), java.util.Map.of());
        }
    }

    /** A single {@code bytes=a-b} range over the stored bytes (206 / 416), else the whole body. */
    private static Reply ranged(RequestInfo req, Reply full) {
        Optional<String> range = req.header("range");
        Reply withAccept = full.withHeader("Accept-Ranges", "bytes");
        if (range.isEmpty()) {
            return withAccept;
        }
        Matcher m = RANGE.matcher(range.get().trim());
        long size = full.body().length;
        if (!m.matches() || (m.group(1).isEmpty() && m.group(2).isEmpty())) {
            return withAccept;
        }
        long start;
        long end;
        if (m.group(1).isEmpty()) {
            long suffix = Long.parseLong(m.group(2));
            start = Math.max(0, size - suffix);
            end = size - 1;
        } else {
            start = Long.parseLong(m.group(1));
            end = m.group(2).isEmpty() ? size - 1 : Math.min(Long.parseLong(m.group(2)), size - 1);
        }
        if (start >= size || start > end) {
            return new Reply(416, Reply.TEXT, new byte[0], java.util.Map.of())
                    .withHeader("Content-Range", "bytes */" + size);
        }
        byte[] part = java.util.Arrays.copyOfRange(full.body(), (int) start, (int) end + 1);
        Reply r = new Reply(206, full.contentType(), part, full.headers());
        return r.withHeader("Content-Range", "bytes " + start + "-" + end + "/" + size).withHeader("Accept-Ranges", "bytes");
    }

    private static Optional<Instant> parseHttpDate(String s) {
        try {
            return Optional.of(ZonedDateTime.parse(s.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
