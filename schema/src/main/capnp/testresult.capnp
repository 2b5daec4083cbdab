@0x9527f7d16acca92e;

# ktest's per-commit results blob (<output_dir>/<sha>.capnp). File id, names, ordinals and types are
# ktest's; only the Java annotations are ours and they do not change the wire format.

using Java = import "java.capnp";
$Java.package("org.ktestci.schema.capnp");
$Java.outerClassname("TestResultSchema");

struct TestResult {
    name        @0 :Text;
    duration    @1 :UInt64;
    status      @2 :Status;
    starttime   @3 :Int64;

    enum Status {
        inprogress      @0;
        passed          @1;
        failed          @2;
        notrun          @3;
        failedToRun     @4;
        unknown         @5;
    }
}

struct TestResults {
    entries     @0 :List(TestResult);
    message     @1 :Text;
    commitId    @2 :Text;
}
