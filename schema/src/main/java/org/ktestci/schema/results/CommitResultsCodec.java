package org.ktestci.schema.results;

import org.capnproto.MessageBuilder;
import org.capnproto.MessageReader;
import org.capnproto.Serialize;
import org.capnproto.StructList;
import org.ktestci.schema.capnp.TestResultSchema.TestResult;
import org.ktestci.schema.capnp.TestResultSchema.TestResults;
import org.ktestci.schema.io.AtomicFiles;
import org.ktestci.schema.io.CapnpFiles;
import org.ktestci.schema.status.Status;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads and writes {@code <sha>.capnp} with ktest's {@code testresult.capnp} schema, in the standard
 * unpacked stream framing (storage.md §5, {@link CapnpFiles}).
 */
public final class CommitResultsCodec {
    private CommitResultsCodec() {
    }

    public static byte[] encode(CommitResults results) {
        MessageBuilder message = new MessageBuilder();
        TestResults.Builder root = message.initRoot(TestResults.factory);
        root.setCommitId(results.commit());
        root.setMessage(results.message());
        StructList.Builder<TestResult.Builder> list = root.initEntries(results.entries().size());
        int i = 0;
        for (ResultEntry e : results.entries()) {
            TestResult.Builder b = list.get(i++);
            b.setName(e.name());
            b.setDuration(e.duration());
            b.setStatus(toCapnp(e.status()));
            b.setStarttime(e.starttime());
        }
        return CapnpFiles.bytes(message);
    }

    public static CommitResults decode(byte[] blob) throws IOException {
        MessageReader message;
        try {
            message = Serialize.read(ByteBuffer.wrap(blob), CapnpFiles.READER_OPTIONS);
        } catch (RuntimeException e) {
            throw new IOException("corrupt results blob: " + e.getMessage(), e);
        }
        try {
            TestResults.Reader root = message.getRoot(TestResults.factory);
            List<ResultEntry> entries = new ArrayList<>();
            for (TestResult.Reader r : root.getEntries()) {
                entries.add(new ResultEntry(r.getName().toString(), fromCapnp(r.getStatus()), r.getDuration(),
                        r.getStarttime()));
            }
            String commit = root.hasCommitId() ? root.getCommitId().toString() : "";
            String msg = root.hasMessage() ? root.getMessage().toString() : "";
            return new CommitResults(commit, msg, entries);
        } catch (RuntimeException e) {
            throw new IOException("corrupt results blob: " + e.getMessage(), e);
        }
    }

    public static CommitResults read(Path file) throws IOException {
        return CapnpFiles.read(file, CommitResultsCodec::decode);
    }

    public static void writeAtomically(Path file, CommitResults results) throws IOException {
        AtomicFiles.write(file, encode(results));
    }

    static TestResult.Status toCapnp(Status s) {
        return switch (s) {
            case INPROGRESS -> TestResult.Status.INPROGRESS;
            case PASSED -> TestResult.Status.PASSED;
            case FAILED -> TestResult.Status.FAILED;
            case NOTRUN -> TestResult.Status.NOTRUN;
            case FAILED_TO_RUN -> TestResult.Status.FAILED_TO_RUN;
            case UNKNOWN -> TestResult.Status.UNKNOWN;
        };
    }

    static Status fromCapnp(TestResult.Status s) {
        return switch (s) {
            case INPROGRESS -> Status.INPROGRESS;
            case PASSED -> Status.PASSED;
            case FAILED -> Status.FAILED;
            case NOTRUN -> Status.NOTRUN;
            case FAILED_TO_RUN -> Status.FAILED_TO_RUN;
            case UNKNOWN, _NOT_IN_SCHEMA -> Status.UNKNOWN;
        };
    }
}
