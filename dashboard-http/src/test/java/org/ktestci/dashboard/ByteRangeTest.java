package org.ktestci.dashboard;

import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ByteRangeTest {
    private static ByteRange of(String header, long size) {
        return ByteRange.of(Optional.ofNullable(header), size);
    }

    @Test
    void parsesOneRangeOfEachForm() {
        assertEquals(new ByteRange.Slice(0, 3), of("bytes=0-3", 10));
        assertEquals(new ByteRange.Slice(4, 9), of("bytes=4-", 10));
        assertEquals(new ByteRange.Slice(7, 9), of("bytes=-3", 10));
        assertEquals(new ByteRange.Slice(0, 9), of("bytes=-30", 10));
        assertEquals(new ByteRange.Slice(8, 9), of("bytes=8-400", 10));
        assertEquals(3, new ByteRange.Slice(7, 9).length());
        assertEquals("bytes 7-9/10", new ByteRange.Slice(7, 9).contentRange(10));
    }

    @Test
    void rangesBeyondTheEndAreUnsatisfiable() {
        assertEquals(new ByteRange.Unsatisfiable(), of("bytes=10-", 10));
        assertEquals(new ByteRange.Unsatisfiable(), of("bytes=-0", 10));
        assertEquals(new ByteRange.Unsatisfiable(), of("bytes=0-", 0));
    }

    @Test
    void headersWeDoNotUnderstandAreIgnored() {
        for (String h : new String[] {null, "bytes=0-1,3-4", "items=0-1", "bytes=5-2", "bytes=-", "bytes=x-1",
                "bytes=99999999999999999999-"}) {
            assertEquals(new ByteRange.Whole(), of(h, 10), h);
        }
    }
}
