package org.ktestci.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.ktestci.schema.events.RegressionEvent.CommitRef;
import org.ktestci.schema.events.RegressionEvent.FirstBadFound;
import org.ktestci.schema.git.CommitInfo;
import org.ktestci.schema.known.KnownIssue;
import org.ktestci.schema.results.CommitResults;
import org.ktestci.schema.results.CommitResultsCodec;
import org.ktestci.schema.results.Observation;
import org.ktestci.schema.results.OutputDir;
import org.ktestci.schema.results.ResultEntry;
import org.ktestci.schema.status.Status;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import java.io.ByteArrayInputStream;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The branch feed (issue 14 item 8) over the fixture's main branch, parsed with the JDK's XML parser. With
 * {@code flake_retries} 0 and a blob added at m4 (k.b passes), main's history makes: k.b new at m2, fixed at m4,
 * new again at m5; k.flaky new at m3; the hostile key and k.new new tests failing at m5; and a crafted bisection
 * finding whose subject and key hold what XML cannot carry.
 */
class FeedViewTest {
    static final String ATOM = "http://www.w3.org/2005/Atom";
    static final String PUBLIC = "https://ci.example.org/base";
    /** Markup, a CDATA end, an entity, C0 controls, a lone surrogate, U+FFFE: a feed that passes them on breaks. */
    static final String CRAFTED = "x]]></title></entry><entry>&amp;\u0001\u0008\u000b\u001b[31m\uD800\uFFFE end";

    @TempDir
    static Path root;
    static DashboardFixture fx;
    static FirstBadFound finding;

    @BeforeAll
    static void start() throws Exception {
        UnaryOperator<CiQueries> wrap = q -> new Delegate(q);
        fx = DashboardFixture.start(root, "", Optional.empty(), wrap);
        CommitResultsCodec.writeAtomically(new OutputDir(fx.out).blob(fx.m(4)), new CommitResults(fx.m(4), "",
                List.of(new ResultEntry("k.b", Status.PASSED, 20, DashboardFixture.T0 + 500))));
        fx.known.add(new KnownIssue("ssd-42", "^k\\.new$", Optional.empty(), "https://bugs.example.org/42?a=1&b=2",
                Optional.empty(), KnownIssue.CONFIG));
        finding = new FirstBadFound("main", "k." + CRAFTED, new CommitRef(fx.m(1), CRAFTED, "Mallory " + CRAFTED),
                fx.m(0), fx.m(2), true, DashboardFixture.T0 + 9_999);
    }

    @AfterAll
    static void stop() throws Exception {
        fx.close();
    }

    /** The fixture's queries with flake_retries 0, a public URL and the crafted finding. */
    record Delegate(CiQueries q) implements CiQueries {
        @Override public String user() { return q.user(); }
        @Override public Path outputDir() { return q.outputDir(); }
        @Override public int keepResultsCommits() { return q.keepResultsCommits(); }
        @Override public List<BranchSummary> branches() { return q.branches(); }
        @Override public Optional<List<CommitInfo>> branchLog(String b, int max) { return q.branchLog(b, max); }
        @Override public Optional<CommitInfo> commit(String sha) { return q.commit(sha); }
        @Override public List<String> branchesContaining(String sha) { return q.branchesContaining(sha); }
        @Override public Map<String, ResultDetail> resultDetails(String sha) { return q.resultDetails(sha); }
        @Override public Optional<String> viewsVersion() { return q.viewsVersion(); }
        @Override public List<KnownIssue> knownIssues() { return q.knownIssues(); }
        @Override public Map<String, List<Observation>> reruns(String sha) { return q.reruns(sha); }
        @Override public boolean commitContains(String sha, String a) { return q.commitContains(sha, a); }
        @Override public int flakeRetries() { return 0; }
        @Override public Optional<String> publicUrl() { return Optional.of(PUBLIC + "/"); }

        @Override
        public List<FirstBadFound> firstBadFindings(String branch) {
            return branch.equals("main") ? List.of(finding) : List.of();
        }
    }

    static Document parse(byte[] body) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        return f.newDocumentBuilder().parse(new ByteArrayInputStream(body));
    }

    static String text(Element parent, String name) {
        NodeList l = parent.getElementsByTagNameNS(ATOM, name);
        return l.getLength() == 0 ? null : l.item(0).getTextContent();
    }

    static List<Element> children(Element parent, String name) {
        List<Element> out = new ArrayList<>();
        for (int i = 0; i < parent.getChildNodes().getLength(); i++) {
            if (parent.getChildNodes().item(i) instanceof Element e && ATOM.equals(e.getNamespaceURI())
                    && e.getLocalName().equals(name)) {
                out.add(e);
            }
        }
        return out;
    }

    static String href(Element parent, String rel) {
        return children(parent, "link").stream().filter(l -> l.getAttribute("rel").equals(rel)).findFirst()
                .map(l -> l.getAttribute("href")).orElse(null);
    }

    /** Entries by title prefix and commit, in feed order. */
    static Map<String, Element> entries(Document d) {
        Map<String, Element> out = new LinkedHashMap<>();
        for (Element e : children(d.getDocumentElement(), "entry")) {
            String category = children(e, "category").get(0).getAttribute("term");
            String commit = href(e, "alternate");
            out.put(category + " " + commit.substring(commit.indexOf("commit=") + 7, commit.indexOf("commit=") + 19)
                    + " " + (category.equals("first_bad_found") ? "First bad commit"
                    : text(e, "title").replaceAll(" at [0-9a-f]{12} .*", "")), e);
        }
        return out;
    }

    @Test
    void theFeedIsValidAtomWithNewFailuresFixesAndFindings() throws Exception {
        HttpResponse<byte[]> r = fx.http.get("/ci/feed?branch=main");
        assertEquals(200, r.statusCode(), Http.body(r));
        assertEquals("application/atom+xml; charset=utf-8", Http.header(r, "Content-Type"));
        Document d = parse(r.body());
        Element feed = d.getDocumentElement();
        assertEquals(List.of(ATOM, "feed"), List.of(feed.getNamespaceURI(), feed.getLocalName()));
        assertTrue(children(feed, "id").get(0).getTextContent().matches("urn:uuid:[0-9a-f-]{36}"));
        assertEquals("ktest-ci: main regressions", children(feed, "title").get(0).getTextContent());
        assertEquals(PUBLIC + "/ci/feed?branch=main", href(feed, "self"));
        assertEquals(PUBLIC + "/ci?branch=main", href(feed, "alternate"));
        Map<String, Element> entries = entries(d);
        assertEquals(Set.of(
                "first_bad_found " + sha12(1) + " First bad commit",
                "new_failure " + sha12(5) + " New failure: k.<script>alert(1)</script>",
                "new_failure " + sha12(5) + " New failure: k.b",
                "new_failure " + sha12(5) + " New failure: k.new (known: ssd-42)",
                "fixed " + sha12(4) + " Fixed: k.b",
                "new_failure " + sha12(3) + " New failure: k.flaky",
                "new_failure " + sha12(2) + " New failure: k.b"), entries.keySet());
        Instant previous = Instant.MAX;
        Set<String> ids = new HashSet<>();
        for (Element e : entries.values()) {
            Instant updated = Instant.parse(children(e, "updated").get(0).getTextContent());
            assertFalse(updated.isAfter(previous), "newest first");
            previous = updated;
            assertTrue(ids.add(children(e, "id").get(0).getTextContent()), "ids are unique");
            assertTrue(href(e, "alternate").startsWith(PUBLIC + "/ci?commit="), href(e, "alternate"));
            assertTrue(href(e, "related").startsWith(PUBLIC + "/ci?branch=main&test="), href(e, "related"));
            assertFalse(children(e, "author").isEmpty());
        }
        assertEquals(Instant.parse(children(feed, "updated").get(0).getTextContent()),
                Instant.ofEpochSecond(finding.at()), "the feed was updated by its newest entry");

        Element fixed = entries.get("fixed " + sha12(4) + " Fixed: k.b");
        assertEquals(PUBLIC + "/ci?commit=" + fx.m(4) + "&branch=main", href(fixed, "alternate"));
        assertEquals(PUBLIC + "/ci?branch=main&test=k.b", href(fixed, "related"));
        assertTrue(text(fixed, "content").contains("failed at <a href=\"" + PUBLIC + "/ci?commit=" + fx.m(3)
                + "&amp;branch=main\">"), text(fixed, "content"));
        Element known = entries.get("new_failure " + sha12(5) + " New failure: k.new (known: ssd-42)");
        assertTrue(text(known, "content").contains("Known issue: <a href=\"https://bugs.example.org/42?a=1&amp;b=2\">"
                + "ssd-42</a>"), text(known, "content"));
        assertTrue(text(entries.get("new_failure " + sha12(5) + " New failure: k.b"), "content")
                .contains("Not a known issue."));
    }

    @Test
    void hostileSubjectsAuthorsAndKeysStayText() throws Exception {
        HttpResponse<byte[]> r = fx.http.get("/ci/feed?branch=main");
        String raw = Http.body(r);
        assertFalse(raw.contains("<script>"), "markup from git or results is never markup in the feed");
        assertFalse(raw.contains("\u0001") || raw.contains("\uFFFE"), "characters XML 1.0 forbids are replaced");
        Document d = parse(r.body());
        Map<String, Element> entries = entries(d);
        Element hostile = entries.get("new_failure " + sha12(5) + " New failure: k.<script>alert(1)</script>");
        assertEquals("New failure: " + DashboardFixture.HOSTILE_KEY + " at " + sha12(5)
                + " fix <script>alert('x')</script> & \"q\"", text(hostile, "title"), "escaped, then read back as is");
        assertEquals("Eve \"q\" & co", text((Element) hostile.getElementsByTagNameNS(ATOM, "author").item(0), "name"));
        assertTrue(text(hostile, "content").contains("<code>k.&lt;script&gt;alert(1)&lt;/script&gt;</code>"),
                "the entry's HTML escapes the key once more: " + text(hostile, "content"));
        assertEquals(PUBLIC + "/ci?branch=main&test=k.%3Cscript%3Ealert%281%29%3C%2Fscript%3E", href(hostile, "related"));

        Element crafted = entries.get("first_bad_found " + sha12(1) + " First bad commit");
        String clean = "x]]></title></entry><entry>&amp;\uFFFD\uFFFD\uFFFD\uFFFD[31m\uFFFD\uFFFD end";
        assertEquals("First bad commit: k." + clean + ": " + sha12(1) + " " + clean, text(crafted, "title"));
        assertEquals("Mallory " + clean, text((Element) crafted.getElementsByTagNameNS(ATOM, "author").item(0), "name"));
        assertEquals(1 + 6, entries.size(), "the crafted strings opened no entry of their own");
    }

    @Test
    void theFeedIsCachedAndRevalidatedLikeTheOtherViews() throws Exception {
        HttpResponse<byte[]> first = fx.http.get("/ci/feed?branch=main");
        String etag = Http.header(first, "ETag");
        assertTrue(etag.startsWith("\""), etag);
        assertEquals("no-cache", Http.header(first, "Cache-Control"));
        HttpResponse<byte[]> again = fx.http.get("/ci/feed?branch=main", "If-None-Match", etag);
        assertEquals(304, again.statusCode());
        Thread.sleep(PageCache.TTL_MILLIS + 100); // past the kept page's life: made afresh, byte for byte the same
        HttpResponse<byte[]> remade = fx.http.get("/ci/feed?branch=main");
        assertEquals(Http.body(first), Http.body(remade), "ids and times depend only on the events");
    }

    @Test
    void badRequestsGetClearErrors() throws Exception {
        HttpResponse<byte[]> none = fx.http.get("/ci/feed");
        assertEquals(400, none.statusCode());
        assertTrue(Http.body(none).contains("branch is required"), Http.body(none));
        assertEquals(400, fx.http.get("/ci/feed?branch=").statusCode());
        HttpResponse<byte[]> unknown = fx.http.get("/ci/feed?branch=nope%3Cx%3E");
        assertEquals(404, unknown.statusCode());
        assertTrue(Http.body(unknown).contains("Branch nope&lt;x&gt; not found"), Http.body(unknown));
        assertEquals(405, fx.http.send("POST", "/ci/feed?branch=main").statusCode());
        assertEquals(404, fx.http.get("/api/v1/branches/nope/events").statusCode());
    }

    @Test
    void theSameEventsAsJson() throws Exception {
        JsonNode j = fx.http.json("/api/v1/branches/main/events");
        assertEquals("main", j.get("branch").asText());
        JsonNode events = j.get("events");
        assertEquals(7, events.size());
        JsonNode fix = null;
        for (JsonNode e : events) {
            if (e.get("type").asText().equals("fixed")) {
                fix = e;
            }
        }
        assertEquals(fx.m(4), fix.get("commit").get("sha").asText());
        assertEquals(fx.m(3), fix.get("failing_commit").asText());
        assertEquals("k.b", fix.get("test").asText());
        assertTrue(fix.get("id").asText().matches("fixed-[0-9a-f]{32}"));
        assertEquals(PUBLIC + "/c/" + fx.m(4) + "/k.b/log.br", fix.get("log_url").asText());
        assertEquals(fx.http.json("/ci/feed?branch=main&format=json"), j);
    }

    @Test
    void theBranchPageAnnouncesAndLinksItsFeed() throws Exception {
        String html = fx.http.html("/ci?branch=main");
        assertTrue(html.contains("<link rel=\"alternate\" type=\"application/atom+xml\" title=\"main regressions (Atom)\""
                + " href=\"/ci/feed?branch=main\">"), html);
        assertTrue(html.contains("id=\"feed-link\" href=\"/ci/feed?branch=main\""), html);
    }

    static String sha12(int i) {
        return DashboardFixture.sha12(fx.m(i));
    }

}
