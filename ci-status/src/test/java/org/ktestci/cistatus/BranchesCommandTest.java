package org.ktestci.cistatus;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class BranchesCommandTest extends ResultsFixtureTest {
    @Test
    void listsConfiguredBranchesInFileOrderWithTheirGroups() {
        assertEquals(String.format("%-40s %s\n%-40s %s\n", "main", "demo, extra", "alice-wip", "demo"),
                fx.ok("branches").out());
    }

    @Test
    void jsonGivesNameFetchAndTestGroupsOfEachBranch() throws Exception {
        JsonNode json = new ObjectMapper().readTree(fx.ok("branches", "--json").out());
        assertEquals(2, json.size());
        assertEquals("main", json.get(0).get("name").asText());
        assertEquals(dir.resolve("upstream") + " main", json.get(0).get("fetch").asText(),
                "a relative fetch path is made absolute");
        assertEquals(new ObjectMapper().readTree("[\"demo\", \"extra\"]"), json.get(0).get("test_groups"));
        assertEquals("alice-wip", json.get(1).get("name").asText());
        assertEquals("https://example.org/linux.git wip", json.get(1).get("fetch").asText());
        assertEquals(3, json.get(1).size(), "only name, fetch and test_groups");
    }

    @Test
    void testGroupsAreDimmedAfterTheNameIsPadded() {
        assertEquals(String.format("%-40s ", "main") + "\u001b[2mdemo, extra\u001b[0m\n"
                        + String.format("%-40s ", "alice-wip") + "\u001b[2mdemo\u001b[0m\n",
                fx.ok("--color=always", "branches").out());
    }
}
