package org.ktestci.schema.status;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

class StatusParserTest {
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "FAILED TO RUN|FAILED_TO_RUN",
            "TEST FAILED|FAILED",
            "========= FAILED PASSED_thing in 1s|FAILED",
            "========= PASSED x_FAILED in 1s|PASSED",
            "========= NOT STARTED|FAILED_TO_RUN",
            "IN PROGRESS|INPROGRESS",
            "garbage|UNKNOWN",
            "========= FAILED TIMEOUT generic/475 in 1200s|FAILED",
            "========= NOTRUN ec in 0s: no ec support|NOTRUN",
            "Passed|PASSED",
            "Failed to run|FAILED_TO_RUN",
            "In progress|INPROGRESS",
            "Unknown|UNKNOWN",
            "Not run|NOTRUN",
    })
    void parsesSpecTestVectors(String line, Status expected) {
        assertEquals(expected, StatusParser.parse(line));
        assertEquals(expected, StatusParser.parse(line + "\r\n"), "trailing CR/LF is ignored");
        assertEquals(expected, StatusParser.parse(line + "  \nsecond line ignored"), "only the first line counts");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"''", "'   '", "'\n'"})
    void emptyFirstLineIsInProgress(String content) {
        assertEquals(Status.INPROGRESS, StatusParser.parse(content));
    }
}
